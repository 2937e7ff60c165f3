"""Outgoing mail: a durable outbox written in the caller's transaction, and the
worker that delivers it (SMTP, or ``.eml`` files when no server is configured)."""
