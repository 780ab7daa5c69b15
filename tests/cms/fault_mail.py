"""An e-mail backend for the fault tests: Django's file backend, one file per message, except that the first
message to an address starting with "flaky" fails (a marker file remembers it across processes)."""

from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend


class FlakyOnceFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        for message in email_messages:
            for address in message.to:
                marker = Path(self.file_path) / f"refused-{address}"
                if address.startswith("flaky") and not marker.exists():
                    marker.touch()
                    raise ConnectionRefusedError(f"the mail server refused {address} (once)")
        return super().send_messages(email_messages)


def messages_to(directory: Path) -> dict[str, int]:
    """How many messages each address got, from the files Django's file backend wrote."""
    counts: dict[str, int] = {}
    for path in directory.glob("*.log"):
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("To: "):
                for address in line[4:].split(","):
                    counts[address.strip()] = counts.get(address.strip(), 0) + 1
    return counts
