"""The body-map answer key in the admin: the learner's own map (templates/quizzes/includes/body_map.html
and quizzes/static/quizzes/attempt.js), whose zones an author clicks to choose the key. Its list of
checkboxes is the fallback without JavaScript and the way by keyboard; it is what the form posts
(zone codes: the form field looks zones up by code)."""

from django import forms
from django.template.loader import render_to_string

from content.models import BodyZone

from .selectors import question_widget


class BodyMapZonesWidget(forms.CheckboxSelectMultiple):
    class Media:
        css = {"all": ["quizzes/quiz.css", "quizzes/body_map_key.css"]}
        js = ["quizzes/attempt.js", "quizzes/body_map_key.js"]

    def render(self, name, value, attrs=None, renderer=None):
        zones = [
            {"code": code, "name": zone_name, "view": view, "shape": (shape or "").strip()}
            for code, zone_name, view, shape in BodyZone.objects.order_by(
                "view", "sort_order", "name"
            ).values_list("code", "name", "view", "shape")
        ]
        picked = [str(code) for code in (value or [])]
        widget = question_widget({"kind": "body_map", "qid": 0}, picked, zones)
        widget["name"] = name
        return render_to_string(
            "quizzes/includes/body_map_key.html", {"q": widget, "id": (attrs or {}).get("id")}
        )

    def value_omitted_from_data(self, data, files, name):
        return False  # an unticked list posts nothing: no zone
