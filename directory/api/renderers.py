from rest_framework.renderers import JSONRenderer

# In JSON these characters can only occur inside strings, where the \u escapes mean the same text; escaped, an
# error that quotes the caller's input can never be read as markup, whatever a client does with the body.
MARKUP_ESCAPES = ((b"<", b"\\u003c"), (b">", b"\\u003e"), (b"&", b"\\u0026"))


class MarkupSafeJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        body = super().render(data, accepted_media_type, renderer_context)
        for character, escape in MARKUP_ESCAPES:
            body = body.replace(character, escape)
        return body
