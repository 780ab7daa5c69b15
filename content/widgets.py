"""Admin widgets for the knowledge-base snippets."""

import json

from django import forms


class LinesWidget(forms.Textarea):
    """Edits a JSON list of texts as one item per line, so instructors never type JSON.

    Works with a models.JSONField: the form field hands over the value as a JSON string and gets
    a JSON string back. Blank lines are dropped; a value that is not a list is shown as it is.
    """

    def __init__(self, attrs=None):
        super().__init__(attrs={"rows": 4, **(attrs or {})})

    def format_value(self, value):
        try:
            items = json.loads(value) if isinstance(value, str) else value
        except ValueError:
            return value
        if isinstance(items, list):
            return "\n".join(str(item) for item in items)
        return super().format_value(value)

    def value_from_datadict(self, data, files, name):
        text = data.get(name)
        if text is None:
            return None
        return json.dumps([line.strip() for line in str(text).splitlines() if line.strip()])
