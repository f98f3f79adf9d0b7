"""Outputs: plain models built from indicator Tables, rendered by ``kartoitus.render.document``.

Each module builds one output (``report``: the main report). Modules import
matplotlib and WeasyPrint lazily, so importing this package stays cheap.
"""
