"""The HTTP side of socsec: the JSON API and server-rendered pages (``socsec serve``).

Needs the ``web`` extra (FastAPI, Jinja2, uvicorn): ``pip install 'socsec[web]'``.
"""
