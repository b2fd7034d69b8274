"""The doors into the assistant: the command line, the HTTP API and the web UI.

Each parses its input (``options``), calls one ``Assistant`` method and renders the result
(``render``); none reaches into the catalog or the vector store.
"""
