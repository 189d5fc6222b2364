"""The welcome screen's words, kept apart from its layout."""

from __future__ import annotations

INTRO = (
    "No model provider was found. llmx-tui talks to a hosted API with your key, or to a "
    "model server running on this machine. Pick one of these ways to get started:"
)

STEPS: tuple[tuple[str, str], ...] = (
    (
        "Use a hosted provider",
        "Put your key in an environment variable, then start llmx-tui again; it finds it "
        "by itself:\n"
        "  export OPENAI_API_KEY=...\n"
        "or ANTHROPIC_API_KEY, OPENROUTER_API_KEY, GEMINI_API_KEY (or GOOGLE_API_KEY), "
        "DEEPSEEK_API_KEY, GROQ_API_KEY, MISTRAL_API_KEY, XAI_API_KEY.",
    ),
    (
        "Or run a model on this machine",
        "Start Ollama (ollama serve, port 11434), a llama.cpp server (8080), LM Studio "
        "(1234) or vLLM (8000), then press ctrl+r here to find it.",
    ),
    (
        "Or save a provider with the form below",
        "Choose the provider, the name of the variable that holds its key (never the key "
        "itself), and a model; ctrl+s saves it to the config file.",
    ),
    (
        "Or just look around",
        "ctrl+t starts the demo: a scripted conversation, no key and no network needed.",
    ),
)
