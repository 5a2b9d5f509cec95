"""zh_Hans for issue 17.1: pages flat in the size of the tree (the public index's link to a committee's
branches, the transfer within the university)."""

T = {
    "Its branches": "下属支部",
    "A transfer within the university goes to a branch of the same university.": "校内转接只能转至本校的党支部。",
}
P: dict = {}
