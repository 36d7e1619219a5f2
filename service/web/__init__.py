"""The HTTP layer, thin over the engine: the JSON API (``api``: routes; ``schemas``: pydantic
models that validate requests and generate OpenAPI; ``problems``: RFC 9457 errors; ``auth``: API
keys), the search page (``page``) and metrics and request logs (``observe``)."""
