from django import forms, template
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def control(field: forms.BoundField, prompts: bool = True) -> SafeString:
    """The field's widget, described by its help text and errors, and marked invalid when it has errors;
    `control:False` leaves out the widget's placeholder (allauth's repeat the label, in its own words)."""
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    if field.errors:
        described_by.append(f"{field.auto_id}_errors")
    attrs = {"aria-describedby": " ".join(described_by)} if described_by else {}
    if field.errors:
        attrs["aria-invalid"] = "true"
    if not prompts:
        attrs["placeholder"] = False  # Django's widgets leave out an attribute whose value is False
    return field.as_widget(attrs=attrs)


@register.filter
def folded(field: forms.BoundField) -> dict | None:
    """For a field whose checkboxes fold (practice.forms.FoldedCheckboxes): where the fold starts (`at`, the
    index of the first checkbox folded), whether it starts open (one of the folded is ticked) and its label
    (`more`); None for any other field, or where there are no more checkboxes than are shown."""
    at = getattr(field.field.widget, "shown", None)
    checkboxes = list(field)
    if at is None or at >= len(checkboxes):  # nothing to fold
        return None
    ticked = any(checkbox.data["selected"] for checkbox in checkboxes[at:])
    return {"at": at, "open": ticked, "more": field.field.widget.more}
