"""The browsable API reference at /docs: Swagger UI served from the app itself (the files
the fastapi-swagger package ships), so it works under the app's Content-Security-Policy,
which allows scripts and styles from this origin only and no inline script."""

from importlib import resources

import fastapi_swagger.resources
from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response

DOCS_PATH = "/docs"
_SWAGGER_FILES = resources.files(fastapi_swagger.resources)
# The files change only with the package: a day in caches is plenty.
_ASSET_HEADERS = {"Cache-Control": "public, max-age=86400"}

_PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Wellbeing plans API</title>
<link rel="icon" href="/icons/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{DOCS_PATH}/swagger-ui.css">
</head><body><div id="swagger-ui"></div>
<script src="{DOCS_PATH}/swagger-ui-bundle.js"></script>
<script src="{DOCS_PATH}/start.js"></script>
</body></html>
"""

# In a file of its own, as the policy refuses inline script. No validator: it would send
# the schema to a third party.
_START = """window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  validatorUrl: null,
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout"
});
"""


def install_api_docs(app: FastAPI) -> None:
    """Adds /docs and its three files; the app must be made with `docs_url=None`."""

    @app.get(DOCS_PATH, include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(_PAGE)

    @app.get(f"{DOCS_PATH}/start.js", include_in_schema=False)
    def api_docs_start() -> Response:
        return Response(_START, media_type="text/javascript", headers=_ASSET_HEADERS)

    for name, media_type in (
        ("swagger-ui-bundle.js", "text/javascript"),
        ("swagger-ui.css", "text/css"),
    ):
        app.add_api_route(
            f"{DOCS_PATH}/{name}",
            _serving(_SWAGGER_FILES / name, media_type),
            methods=["GET"],
            include_in_schema=False,
        )


def _serving(path, media_type: str):
    def serve() -> FileResponse:
        return FileResponse(path, media_type=media_type, headers=_ASSET_HEADERS)

    return serve
