"""``llmx-tui --demo``: scripted conversations served by an in-process loopback SSE server.

The demo takes the same path as a real provider (HTTP, the real client, bus,
store and UI); only the server is scripted.
"""

# What the demo's provider and its one model are called (the model picker names them).
DEMO_PROVIDER = "demo"
DEMO_MODEL = "demo"
