"""Subject normalisation for threading, in every language's reply and forward prefixes."""

import pytest

from lagniappe.engines.mail import subject_key, subject_ticket_ids


@pytest.mark.parametrize(
    ("subject", "normalised"),
    [
        ("Claim status", "claim status"),
        ("Re: Claim status", "claim status"),
        ("RE: RE: Re: Claim  status", "claim status"),
        ("Fwd: Re: Claim status", "claim status"),
        ("FW: Claim status", "claim status"),
        ("Re[2]: Claim status", "claim status"),
        ("AW: Schadenmeldung", "schadenmeldung"),
        ("SV: Skade", "skade"),
        ("TR: Sinistre", "sinistre"),
        ("RE：理赔进度查询", "理赔进度查询"),
        ("ＲＥ：理赔进度查询", "理赔进度查询"),  # full-width letters
        ("回复：理赔进度查询", "理赔进度查询"),
        ("回复: 回复：理赔进度查询", "理赔进度查询"),
        ("答复：理赔进度查询", "理赔进度查询"),
        ("转发：理赔进度查询", "理赔进度查询"),
        ("回覆：保單理賠查詢", "保單理賠查詢"),
        ("轉寄：保單理賠查詢", "保單理賠查詢"),
        ("轉寄: 回覆: 保單理賠查詢", "保單理賠查詢"),
        ("転送：請求書", "請求書"),
        ("Re: 転送: 請求書", "請求書"),
        ("返信：口座振替", "口座振替"),
        ("Balas: Kartu kredit terblokir", "kartu kredit terblokir"),
        ("Bls: Trs: Kartu kredit terblokir", "kartu kredit terblokir"),
        ("Trs: Kartu kredit", "kartu kredit"),
        ("[fedora-devel] Re: rawhide report", "rawhide report"),
        ("Claim status (fwd)", "claim status"),
        ("Re: [#123] Claim status", "claim status"),
        ("Regarding the claim", "regarding the claim"),  # "Re" inside a word is not a prefix
        ("Refund please", "refund please"),
        ("", ""),
    ],
)
def test_prefixes_are_stripped(subject, normalised):
    assert subject_key(subject).normalised == normalised


@pytest.mark.parametrize(
    ("subject", "ids"),
    [
        ("Re: [#123] Claim status", (123,)),
        ("[# 42] and [#7]", (42, 7)),
        ("［＃９］ full width", (9,)),
        ("[123] no hash", ()),
        ("#123 bare", ()),
    ],
)
def test_ticket_tags_are_kept_separately(subject, ids):
    assert subject_ticket_ids(subject) == ids
    assert subject_key(subject).ticket_ids == ids


def test_reply_flag():
    assert subject_key("Re: x").is_reply
    assert subject_key("回复：x").is_reply
    assert not subject_key("x").is_reply
