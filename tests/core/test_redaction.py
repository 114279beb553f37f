from lagniappe.core.redaction import MASK, secrets_masked, secrets_restored

STORED = {
    "address": "help@brand.test",
    "imap": {"host": "imap.test", "password": "imap-secret"},
    "smtp": {"host": "smtp.test", "Password": "smtp-secret", "username": "help"},
    "hooks": [{"url": "https://x.test", "token": "t1"}],
    "empty": {"password": ""},
}


def test_every_secret_is_masked_at_any_depth_and_nothing_else():
    masked = secrets_masked(STORED)
    assert masked["imap"] == {"host": "imap.test", "password": MASK}
    assert masked["smtp"] == {"host": "smtp.test", "Password": MASK, "username": "help"}
    assert masked["hooks"] == [{"url": "https://x.test", "token": MASK}]
    assert masked["empty"] == {"password": ""}
    assert "secret" not in str(masked) and "t1" not in str(masked)


def test_a_masked_form_sent_back_keeps_the_stored_secrets_and_takes_new_ones():
    edited = secrets_masked(STORED)
    edited["imap"]["host"] = "imap2.test"
    edited["smtp"]["Password"] = "new-smtp-secret"
    restored = secrets_restored(edited, STORED)
    assert restored["imap"] == {"host": "imap2.test", "password": "imap-secret"}
    assert restored["smtp"]["Password"] == "new-smtp-secret"
    assert restored["hooks"] == [{"url": "https://x.test", "token": "t1"}]


def test_a_mask_with_nothing_stored_behind_it_does_not_become_a_secret():
    assert secrets_restored({"imap": {"password": MASK}}, {}) == {"imap": {"password": None}}
