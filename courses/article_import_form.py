"""Forms of the content app: the article importer in the Wagtail admin."""

from pathlib import PurePath

from django import forms
from wagtail.permission_policies.pages import PagePermissionPolicy

from content.importer import MAX_ARTICLE_BYTES, SUPPORTED_EXTENSIONS, ArticleError, check_size, input_kind

from .models import CoursePage


class ArticleImportForm(forms.Form):
    course = forms.ModelChoiceField(
        queryset=CoursePage.objects.none(),
        empty_label="Choose a course…",
        help_text="The draft module is added at the end of this course.",
    )
    file = forms.FileField(
        required=False,
        label="Article file",
        help_text=f"A {', '.join(SUPPORTED_EXTENSIONS)} file saved or copied from a web page, "
        f"UTF-8, at most {MAX_ARTICLE_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SUPPORTED_EXTENSIONS)}),
    )
    text = forms.CharField(
        required=False,
        label="…or paste the article text",
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Paste the text copied from the web page; menus, share buttons and comment forms are removed.",
    )
    file_name = forms.CharField(
        required=False,
        max_length=200,
        label="Name for the pasted text",
        help_text="For example psoas-article.txt (or .md, .html). Importing the same name again updates its draft.",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        courses = CoursePage.objects.order_by("title")
        if user is not None:  # only the courses this user may add modules to (an instructor: their own)
            addable = PagePermissionPolicy().instances_user_has_permission_for(user, "add")
            courses = courses.filter(pk__in=addable.values("pk"))
        self.fields["course"].queryset = courses

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("file"), cleaned.get("text") or ""
        if upload and text.strip():
            raise forms.ValidationError("Upload a file or paste text, not both.")
        if upload:
            self._clean_upload(upload)
        elif text.strip():
            self._clean_pasted(text)
        elif not self.errors:
            raise forms.ValidationError("Upload an article file or paste its text.")
        return cleaned

    def _clean_upload(self, upload):
        name = PurePath(upload.name or "").name
        try:
            input_kind(name)
            check_size(upload.size)  # before reading the upload into memory
        except ArticleError as exc:
            self.add_error("file", str(exc))
            return
        self.cleaned_data["raw"] = upload.read()
        self.cleaned_data["source_name"] = name
        self.cleaned_data["source_field"] = "file"

    def _clean_pasted(self, text):
        name = (self.cleaned_data.get("file_name") or "").strip()
        if not name:
            self.add_error("file_name", "Give the pasted text a name, such as psoas-article.txt.")
            return
        name = PurePath(name.replace("\\", "/")).name
        if not PurePath(name).suffix:
            name += ".txt"
        raw = text.encode("utf-8")
        try:
            input_kind(name)
            check_size(len(raw))
        except ArticleError as exc:
            self.add_error("file_name" if "type" in str(exc) else "text", str(exc))
            return
        self.cleaned_data["raw"] = raw
        self.cleaned_data["source_name"] = name
        self.cleaned_data["source_field"] = "text"
