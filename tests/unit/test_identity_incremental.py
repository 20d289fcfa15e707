"""Re-resolving a neighbourhood with the stored weights of unchanged pairs gives the same people as
scoring everything again."""

from dataclasses import replace

from licensing.identity import MatchModel
from licensing.identity.calibrate import labelled_records
from licensing.identity.resolve import resolve
from licensing.synthetic import generate_register

AUTHORITIES = ("E08000031", "E08000003", "E08000001", "TFL")


def test_scoring_only_changed_pairs_clusters_as_a_full_run_does():
    records = list(labelled_records(generate_register(seed=3, authority_codes=AUTHORITIES, licences=4000)).records)
    model = MatchModel.default().for_population(len(records))
    before = resolve(records, model)
    stored = {(a, b): score.weight for a, b, score in before.links + before.possible}

    # Thirty records change: numbers dropped, addresses moved, a surname retyped.
    changed = {}
    for n, record in enumerate(records[::130][:30]):
        if n % 3 == 0:
            changed[record.record_id] = replace(record, driving_licence_number=None, ni_number=None)
        elif n % 3 == 1:
            changed[record.record_id] = replace(record, address="1 New Street", postcode="M1 1AE")
        else:
            changed[record.record_id] = replace(record, surname=record.surname + "E")
    after = [changed.get(r.record_id, r) for r in records]

    full = resolve(after, model)
    incremental = resolve(after, model, changed=set(changed), known_weights=stored)
    assert incremental.cluster_of == full.cluster_of
    assert sorted((a, b) for a, b, _ in incremental.links) == sorted((a, b) for a, b, _ in full.links)
