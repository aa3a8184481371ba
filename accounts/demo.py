"""The demonstration's shared password: published on the sign-in page in demo mode only."""

DEMO_PASSWORD = "demo-password-ecm"
