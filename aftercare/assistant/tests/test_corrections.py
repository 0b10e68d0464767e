import io

import pytest
from django.core.management import call_command

from aftercare.assistant import classifier
from aftercare.assistant.actions import correct_message_labels
from aftercare.assistant.classifier import HELDOUT_FILE, Example, load_examples
from aftercare.assistant.models import AssistantCorrection
from aftercare.assistant.retrain import retrain
from aftercare.core.actors import Actor
from aftercare.core.errors import ValidationFailed
from aftercare.merchants.models import Merchant


@pytest.fixture
def isolated_model(tmp_path, settings):  # type: ignore[no-untyped-def]
    """Each retrain test starts from the shipped model and writes to its own directory."""
    settings.DATA_DIR = tmp_path
    classifier.save(classifier.current_model())
    yield
    classifier.use_model(None)


def test_a_correction_is_stored_as_a_training_example(agent_actor: Actor) -> None:
    correction = correct_message_labels(
        actor=agent_actor,
        text="my jumper shrank in the wash",
        intent="return_request",
        reason="quality_defect",
    )

    assert correction.merchant_id == agent_actor.merchant_id
    assert correction.language == "en"
    assert correction.created_by == agent_actor.label


def test_unknown_labels_are_refused(agent_actor: Actor) -> None:
    with pytest.raises(ValidationFailed):
        correct_message_labels(actor=agent_actor, text="hi", intent="refund")

    assert not AssistantCorrection.objects.exists()


def test_a_worse_model_is_not_kept(isolated_model: None, merchant: Merchant) -> None:
    # Held-out messages deliberately mislabelled, many times: the new model learns nonsense.
    poison = [
        Example(e.text, "other", "other", e.language, weight=10.0)
        for e in load_examples(HELDOUT_FILE)
        if e.intent != "other"
    ]
    stored = classifier.model_path().read_bytes()

    result = retrain(merchant=merchant, extra=poison)

    assert not result.replaced
    assert result.after.intent.macro_f1 < result.before.intent.macro_f1
    assert classifier.model_path().read_bytes() == stored


def test_train_command_prints_scores_and_keeps_a_model_not_worse(
    isolated_model: None, agent_actor: Actor
) -> None:
    correct_message_labels(actor=agent_actor, text="can you sing", intent="other")
    out = io.StringIO()

    call_command("assistant", "train", stdout=out)

    text = out.getvalue()
    assert "corrections used: 1" in text
    assert "held-out before:" in text and "held-out after:" in text
    assert ("new model saved" in text) or ("kept the current one" in text)
    assert classifier.load() is not None
