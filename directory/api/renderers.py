from rest_framework.renderers import JSONRenderer

# In JSON these characters can only occur inside strings, where the \u escapes mean the same text; escaped, JSON
# that quotes someone's input can never be read as markup: not in an API body, not in a page's script element.
JSON_MARKUP_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def without_markup(json_text: str) -> str:
    return json_text.translate(JSON_MARKUP_ESCAPES)


class MarkupSafeJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        body = super().render(data, accepted_media_type, renderer_context)
        return without_markup(body.decode()).encode()
