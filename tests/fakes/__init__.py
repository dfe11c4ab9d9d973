"""Test doubles that talk real protocols over loopback (see bot_api.FakeBotAPI)."""
