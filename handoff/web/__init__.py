"""Flask blueprints: customer API and chat page, internal API, agent console."""
