"""The scoring rules of DESIGN §5 (assessments.services.scoring): pure functions, no database."""

from decimal import Decimal as D

import pytest

from assessments.services.scoring import Line, Thresholds, grade_for, rank, score


def basic(points, maximum=100):
    return Line(kind="required", max_points=D(maximum), points=D(points))


def test_full_points_with_a_failed_veto_is_not_compliant():
    result = score([basic(100), Line(kind="veto", max_points=D(0), failed=True), Line("bonus", D(5), D(5))])
    assert result.total == D(105)
    assert result.veto_failed is True
    assert result.grade == "fail"


def test_a_passed_veto_changes_nothing():
    assert score([basic(96), Line(kind="veto", max_points=D(0), failed=False)]).grade == "five"


def test_bonus_counts_up_to_the_cap_and_each_item_up_to_its_maximum():
    lines = [basic(90), Line("bonus", D(3), D(3)), Line("bonus", D(2), D(7)), Line("bonus", D(4), D(4))]
    result = score(lines, bonus_cap=D(5))
    assert result.bonus == D(5)  # 3 + 2 (capped at its 2) + 4 = 9, capped at 5
    assert result.total == D(95)
    assert result.grade == "five"
    assert score(lines, bonus_cap=D(0)).total == D(90)


def test_basic_items_are_capped_at_their_maximum_and_at_100():
    result = score([basic(60, 50), basic(55, 50), basic(10, 10)])
    assert result.basic == D(100)  # 50 + 50 + 10 = 110, capped
    assert score([basic(-3, 10)]).basic == D(0)  # never negative


def test_items_without_points_count_zero():
    assert score([Line("required", D(10), None), basic(80, 90)]).total == D(80)


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("0", "fail"),
        ("84.9", "fail"),
        ("84.99", "fail"),
        ("85", "pass"),
        ("89.5", "pass"),
        ("89.9", "pass"),
        ("89.99", "pass"),
        ("90", "four"),
        ("94.99", "four"),
        ("95", "five"),
        ("100", "five"),
        ("105", "five"),
    ],
)
def test_grade_thresholds_are_exact_and_never_rounded(total, grade):
    assert grade_for(D(total)) == grade
    # The same through score(): up to 100 from basic items, above 100 only with bonus.
    extra = max(D(0), D(total) - 100)
    assert score([basic(D(total) - extra), Line("bonus", D(5), extra)]).grade == grade


def test_thresholds_are_data():
    assert grade_for(D(86), thresholds=Thresholds(D(80), D(85), D(90))) == "four"


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        score([Line("extra", D(5), D(5))])


def test_ranking_shares_ranks_on_ties_and_skips_after_them():
    ranks = rank([("a", D(90), False), ("b", D(95), False), ("c", D(90), False), ("d", D(80), False)])
    assert ranks == {"b": 1, "a": 2, "c": 2, "d": 4}


def test_ranking_puts_a_failed_veto_last_and_leaves_out_the_unscored():
    ranks = rank([("a", D(99), True), ("b", D(70), False), ("c", None, False), ("d", D(99), True)])
    assert ranks == {"b": 1, "a": 2, "d": 2}
