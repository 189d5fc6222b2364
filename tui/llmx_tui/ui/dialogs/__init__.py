"""Screens around the chat: each one is pushed by the app and answers with dismiss()."""
