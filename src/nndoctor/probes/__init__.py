"""Shared measurements on copies of the setup: pure functions ``fn(ctx) -> result``, cached by ``ctx.probe``."""
