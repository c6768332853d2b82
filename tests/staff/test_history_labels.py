"""The history an entry page lists names each action by HistoryAction's label, in the reader's
language, as ``get_action_display`` does (evaluations.history reads it without building the
choices' dict per row)."""

import pytest
from django.utils.translation import override

from evaluations.choices import HistoryAction
from evaluations.history import staff_row
from evaluations.models import HistoryEvent


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_actions_label_is_the_one_get_action_display_gives(language):
    with override(language):
        for action in HistoryAction:
            event = HistoryEvent(action=action.value, actor_name="大阪 太郎", changes={})
            assert staff_row(event).action == str(event.get_action_display()), action


def test_an_action_no_longer_among_the_choices_reads_as_itself():
    event = HistoryEvent(action="entry.retired_long_ago", actor_name="大阪 太郎", changes={})
    assert staff_row(event).action == "entry.retired_long_ago" == event.get_action_display()
