"""The bounded memo behind the index build's, the search's and the export's caches of what repeats."""

from __future__ import annotations

from kztj_tui.memo import Memo


def test_a_memo_never_holds_more_than_its_bound_and_keeps_what_it_was_just_told() -> None:
    memo: Memo[int, str] = Memo(3)
    sizes = []
    for number in range(10):
        assert memo.remember(number, str(number)) == str(number)
        assert memo[number] == str(number)
        sizes.append(len(memo))
    assert max(sizes) == 3
    assert sizes == [1, 2, 3, 1, 2, 3, 1, 2, 3, 1]
