from django.forms.renderers import TemplatesSetting


class TandemFormRenderer(TemplatesSetting):
    """Django's accessible field markup (labels, hints and errors tied by aria-describedby),
    wrapped so each field is one block that the error styling can mark."""

    field_template_name = "web/forms/field.html"
