from tests.supporters.mailsink import smtp_sink

__all__ = ["smtp_sink"]
