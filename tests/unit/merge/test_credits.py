from __future__ import annotations

from services.merge.config import MergeSettings
from services.merge.credits import credit_line, pick_lead

NAMES = MergeSettings().names


def test_credit_line_styles() -> None:
    assert credit_line([], NAMES) == ""
    assert credit_line(["reuters"], NAMES) == "With reporting by Reuters"
    assert credit_line(["reuters", "ap"], NAMES) == "With reporting by Reuters and AP"
    four = ["reuters", "tass", "afp", "ap", "tass"]
    assert credit_line(four, NAMES) == "With reporting by Reuters, TASS, AFP, and AP"
    assert credit_line(["kyodo", "ap"], NAMES) == "With reporting by kyodo and AP"


def _member(story_id: str, agency: str, body_len: int = 100, dateline: bool = True, at: float = 0.0) -> dict:
    return {
        "story_id": story_id,
        "agency": agency,
        "canceled": False,
        "body_len": body_len,
        "has_dateline": dateline,
        "story_at": at,
    }


def test_lead_order_preference_then_completeness_then_earliest() -> None:
    preference = ["reuters", "ap"]
    assert pick_lead([_member("a", "ap"), _member("r", "reuters")], preference) == "r"
    assert pick_lead([_member("x", "afp", 900), _member("a", "ap", 10)], preference) == "a"
    assert pick_lead([_member("s", "afp", 100), _member("l", "tass", 900)], preference) == "l"
    no_dateline = _member("n", "afp", 100, dateline=False)
    assert pick_lead([no_dateline, _member("d", "afp", 100, at=5.0)], preference) == "d"
    assert pick_lead([_member("late", "afp", at=9.0), _member("early", "afp", at=1.0)], preference) == "early"


def test_killed_member_leads_only_when_all_are_killed() -> None:
    killed = {**_member("r", "reuters"), "canceled": True}
    assert pick_lead([killed, _member("a", "afp")], ["reuters"]) == "a"
    assert pick_lead([killed], ["reuters"]) == "r"
