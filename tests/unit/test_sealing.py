import pytest

from common.sealing import seal, unseal


def test_sealed_contact_opens_with_the_same_key_and_hides_the_email():
    sealed = seal({"email": "officer@example.org", "phone": "+923001234567"})
    assert "officer" not in sealed
    assert unseal(sealed) == {"email": "officer@example.org", "phone": "+923001234567"}


def test_sealed_contact_refuses_another_key(monkeypatch):
    sealed = seal({"email": "officer@example.org"})
    monkeypatch.setenv("CONTACT_SEALING_KEY", "a-different-key")
    with pytest.raises(ValueError):
        unseal(sealed)
