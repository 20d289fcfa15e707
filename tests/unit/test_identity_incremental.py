"""Re-resolving a neighbourhood with the stored weights of unchanged pairs gives the same people as
scoring everything again."""

from collections import defaultdict
from dataclasses import replace

from licensing.identity import KEY_GROUP_LIMIT, MatchModel, blocking_keys
from licensing.identity.calibrate import labelled_records
from licensing.identity.resolve import pairs_touching, resolve
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


def test_pairs_found_in_the_key_index_cluster_as_blocking_the_neighbourhood_again():
    records = list(labelled_records(generate_register(seed=4, authority_codes=AUTHORITIES, licences=4000)).records)
    model = MatchModel.default().for_population(len(records))
    before = resolve(records, model)
    stored = {(a, b): score.weight for a, b, score in before.links + before.possible}
    changed = {record.record_id: replace(record, surname=record.surname + "S", ni_number=None)
               for record in records[::97][:40]}
    after = [changed.get(r.record_id, r) for r in records]

    # The register's key index, as the service keeps it: every record's keys, common keys left out.
    holders = defaultdict(list)
    for record in after:
        for key in blocking_keys(record):
            holders[key].append(record.record_id)
    holders = {key: ids for key, ids in holders.items() if len(ids) <= KEY_GROUP_LIMIT}
    touching = pairs_touching({record_id: blocking_keys(r) for record_id, r in changed.items()}, holders)

    full = resolve(after, model)
    incremental = resolve(after, model, changed=set(changed), touching=touching, known_weights=stored)
    assert incremental.cluster_of == full.cluster_of
    assert sorted((a, b) for a, b, _ in incremental.links) == sorted((a, b) for a, b, _ in full.links)
    assert any(a in changed or b in changed for a, b, _ in incremental.links)
