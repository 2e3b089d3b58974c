"""X12 834/835/837 into the lake: the public samples with their independently counted segments,
envelopes, tolerance (delimiters, line breaks, a broken transaction), frequency codes, loads."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command

from clientdesk.accounts.models import Account
from clientdesk.lake.gateway import SystemActor, open_lake
from clientdesk.lake.ingestion import IngestError, ingest_files
from clientdesk.lake.models import IngestBatch
from clientdesk.lake.rejects import NO_ELIGIBILITY
from clientdesk.lake.staging import final_action_claim_lines
from clientdesk.lake.tests import x12samples
from clientdesk.lake.tests.lakefiles import eligibility_row, write_csv
from clientdesk.lake.tests.x12samples import manifest, require_samples
from clientdesk.lake.x12.convert import _add, convert
from clientdesk.lake.x12.load import ingest_x12
from clientdesk.testing import Cast


@pytest.mark.parametrize("sample", manifest(), ids=lambda r: r["file"])
def test_every_sample_is_read_with_counts_matching_its_segments(
    sample: dict[str, str], tmp_path: Path
) -> None:
    require_samples()  # fails when the run asked for the samples and they are missing
    result = convert(Path(sample["path"]), tmp_path)
    report = result.report
    assert report["segments"] == int(sample["n_seg"])
    assert report["interchanges"] == int(sample["isa"])
    assert report["groups"] == int(sample["gs"])
    assert report["transactions"] == int(sample["st"])
    assert report["rejected"] == 0
    assert all(f["severity"] == "warning" for f in report["findings"])
    rows = {t: pq.read_table(p).num_rows for t, p in result.tables.items()}
    kind = sample["st_types"]
    if kind == "837":
        lines = int(sample["SV1"]) + int(sample["SV2"]) + int(sample["SV3"])
        assert rows["medical_claim"] == report["records"] == lines
        claims = pq.read_table(result.tables["medical_claim"]).column("claim_id").unique()
        assert len(claims) == int(sample["CLM"])
    elif kind == "835":
        assert rows["claim_processing"] == report["records"] == int(sample["CLP"])
        assert report["provider_adjustments"] == int(sample["PLB"])
    elif kind == "834":
        assert report["records"] == int(sample["INS"])
        # one span per HD coverage; a change of an earlier span without a start is set aside
        spans = rows.get("eligibility", 0) + rows.get("eligibility_changes", 0)
        assert rows.get("eligibility_changes", 0) == report["changes_to_earlier_spans"]
        assert spans == max(int(sample["HD"]), 0) or spans == int(sample["INS"])
    else:
        assert rows == {}
        assert report["transaction_types"] == {kind: int(sample["st"])}


def test_missing_samples_fail_when_the_run_asked_for_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nowhere"
    monkeypatch.setattr(x12samples, "BESIDE_THE_CHECKOUT", missing)
    monkeypatch.delenv("CLIENTDESK_X12_SAMPLES", raising=False)
    monkeypatch.delenv("CLIENTDESK_REQUIRE_X12_SAMPLES", raising=False)
    assert x12samples.manifest() == [{"file": "no-samples"}]  # the test still runs once
    with pytest.raises(pytest.skip.Exception, match=r"no X12 samples at .*nowhere"):
        x12samples.require_samples()
    monkeypatch.setenv("CLIENTDESK_REQUIRE_X12_SAMPLES", "true")  # as `make test` sets it
    with pytest.raises(pytest.fail.Exception, match="the run asked for them"):
        x12samples.require_samples()
    monkeypatch.delenv("CLIENTDESK_REQUIRE_X12_SAMPLES")
    monkeypatch.setenv("CLIENTDESK_X12_SAMPLES", str(missing))  # a folder named is asked for
    with pytest.raises(pytest.fail.Exception, match="the run asked for them"):
        x12samples.require_samples()


CLAIM_837 = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260101*1200*^*00501*"
    "000000001*0*P*:~GS*HC*SENDER*RECEIVER*20260101*1200*7*X*005010X222A1~{transactions}"
    "GE*{count}*7~IEA*1*000000001~"
)


def professional(control: str, claim_id: str, member: str, *, frequency: str = "1",
                 lines: tuple[str, ...] = ("99213",), broken: bool = False,
                 original: str = "") -> str:  # fmt: skip
    body = [
        "BHT*0019*00*1*20260101*1200*CH",
        "HL*1**20*1",
        "NM1*85*2*CLINIC*****XX*1234567893",
        "REF*EI*123456789",
        "HL*2*1*22*0",
        "SBR*P*18*G100001*PPO******CI",
        f"NM1*IL*1*DOE*JANE****MI*{member}",
        "NM1*PR*2*KEYSTONE*****PI*99999",
        f"CLM*{claim_id}*100***11:B:{frequency}*Y*A*Y*I",
        *([f"REF*F8*{original}"] if original else []),
        "HI*ABK:E119*ABF:I10",
    ]
    if broken:
        body.insert(1, "SV1*HC:99213*50*UN*1***1")  # a service line before any claim
    for n, code in enumerate(lines, start=1):
        body += [
            f"LX*{n}",
            f"SV1*HC:{code}:25*50*UN*1***1:2",
            "DTP*472*D8*20260105",
            "SVD*99999*40*HC:99213**1",
            "CAS*PR*2*10",
            "DTP*573*D8*20260120",
        ]
    segments = [f"ST*837*{control}*005010X222A1", *body]
    segments.append(f"SE*{len(segments) + 1}*{control}")
    return "".join(s + "~" for s in segments)


def write_837(path: Path, *transactions: str) -> Path:
    path.write_text(CLAIM_837.format(transactions="".join(transactions), count=len(transactions)))
    return path


def test_an_837_becomes_claim_lines_with_their_amounts(tmp_path: Path) -> None:
    path = write_837(
        tmp_path / "c.837", professional("0001", "CLM1", "M1", lines=("99213", "87070"))
    )
    result = convert(path, tmp_path / "out")
    rows = pq.read_table(result.tables["medical_claim"]).to_pylist()
    assert [r["claim_line_number"] for r in rows] == ["1", "2"]
    first = rows[0]
    assert first["claim_type"] == "professional"
    assert first["member_id"] == "M1" and first["group_id"] == "G100001"
    assert first["hcpcs_code"] == "99213" and first["hcpcs_modifier_1"] == "25"
    assert first["place_of_service_code"] == "11"
    assert first["claim_line_start_date"] == "2026-01-05"
    assert (first["diagnosis_code_1"], first["diagnosis_code_2"]) == ("E119", "I10")
    assert first["diagnosis_code_type"] == "icd-10-cm"
    assert first["billing_npi"] == "1234567893" and first["billing_tin"] == "123456789"
    # paid 40 + coinsurance 10 = allowed 50
    assert (first["paid_amount"], first["coinsurance_amount"], first["allowed_amount"]) == (
        "40",
        "10",
        "50.00",
    )
    assert first["paid_date"] == "2026-01-20"
    assert result.report["accepted"] == 1


def test_amounts_add_to_the_cent_with_their_sign() -> None:
    assert _add("40", "10.5", None, "") == "50.50"
    assert _add("-0.50") == "-0.50"  # was written "0.50"
    assert _add("-40", "10") == "-30.00"
    assert _add("40", "ten") is None


def test_delimiters_and_line_breaks_come_from_the_isa(tmp_path: Path) -> None:
    plain = write_837(tmp_path / "a.837", professional("0001", "CLM1", "M1"))
    text = plain.read_text()
    other = text.replace("*", "|").replace(":", ">").replace("~", "!\r\n")
    other_path = tmp_path / "b.837"
    other_path.write_text(other)
    a = pq.read_table(convert(plain, tmp_path / "a").tables["medical_claim"]).to_pylist()
    b = pq.read_table(convert(other_path, tmp_path / "b").tables["medical_claim"]).to_pylist()
    assert a == b and len(a) == 1


def test_an_unreadable_transaction_is_rejected_and_the_rest_loads(tmp_path: Path) -> None:
    path = write_837(
        tmp_path / "c.837",
        professional("0001", "CLM1", "M1"),
        professional("0002", "CLM2", "M2", broken=True),
        professional("0003", "CLM3", "M3"),
    )
    result = convert(path, tmp_path / "out")
    sets = result.report["transaction_sets"]
    assert [s["status"] for s in sets] == ["accepted", "rejected", "accepted"]
    assert sets[1]["findings"][0]["message"] == "SV1 without its LX (service line) loop"
    assert sets[1]["findings"][0]["position"] == sets[1]["position"] + 2
    assert sets[1]["rejected_records"] == 1
    rows = pq.read_table(result.tables["medical_claim"]).column("claim_id").to_pylist()
    assert rows == ["CLM1", "CLM3"]


def test_envelope_counts_are_checked_with_warnings(tmp_path: Path) -> None:
    path = write_837(tmp_path / "c.837", professional("0001", "CLM1", "M1"))
    path.write_text(path.read_text().replace("GE*1*7", "GE*2*7").replace("SE*", "SE*9", 1))
    report = convert(path, tmp_path / "out").report
    messages = [f["message"] for f in report["findings"]]
    assert "GE01 says 2 transactions, the group has 1" in messages
    [st] = report["transaction_sets"]
    assert st["status"] == "accepted with errors"
    assert st["findings"][0]["message"].startswith("SE01 says 9")


def test_replacements_and_voids_apply_to_earlier_versions(tmp_path: Path) -> None:
    path = write_837(
        tmp_path / "c.837",
        professional("0001", "CLM1", "M1", lines=("99213", "87070")),
        professional("0002", "CLM2", "M2"),
        professional("0003", "CLM1", "M1", frequency="7", lines=("99214",)),
        professional("0004", "CLM2", "M2", frequency="8"),
    )
    result = convert(path, tmp_path / "out")
    rows = pq.read_table(result.tables["medical_claim"]).to_pylist()
    assert [(r["claim_id"], r["hcpcs_code"]) for r in rows] == [("CLM1", "99214")]
    assert result.report["rows"]["medical_claim"] == 1


@pytest.mark.django_db
def test_a_void_or_replacement_in_a_later_file_reverses_the_claim_loaded_before(
    cast: Cast, tmp_path: Path
) -> None:
    first = write_837(
        tmp_path / "a.837",
        professional("0001", "CLM1", "M1", lines=("99213", "87070")),
        professional("0002", "CLM2", "M2"),
        professional("0003", "CLM3", "M3"),
        professional("0004", "CLM4", "M4", lines=("99213", "87070")),
    )
    later = write_837(
        tmp_path / "b.837",
        professional("0001", "CLM1", "M1", frequency="8", lines=("99213", "87070")),
        professional("0002", "VOID9", "M2", frequency="8", original="CLM2"),
        professional("0003", "NEW4", "M4", frequency="7", original="CLM4", lines=("99214",)),
    )
    ingest_x12([first], acting_user=None, create_accounts=True)
    [result] = ingest_x12([later], acting_user=None)
    # CLM1's two lines and CLM2's one as reversals; NEW4's line and CLM4's two reversed
    assert result.rows_loaded == 6
    findings = str(result.report["findings"])
    assert "2 void(s) of claims loaded before: their 3 line(s) load as reversals" in findings
    assert "1 replacement(s) of claims loaded before" in findings
    assert result.report["reversed_lines_of_replaced_claims"] == 2
    with open_lake(SystemActor("x12 tests")) as lake:
        final = lake.execute(final_action_claim_lines(lake.medical_claim))
    # paid 40 each; the reversals load -40 versions of the same lines: CLM3 and the
    # replacement are left
    assert sorted(final["claim_id"]) == ["CLM3", "NEW4"]


@pytest.mark.django_db
def test_x12_loads_as_one_batch_and_a_reload_says_to_replace(cast: Cast, tmp_path: Path) -> None:
    path = write_837(
        tmp_path / "c.837", professional("0001", "CLM1", "M1", lines=("99213", "87070"))
    )
    [result] = ingest_x12([path], acting_user=None, create_accounts=True)
    assert (result.table, result.status, result.rows_loaded, result.rows_rejected) == (
        "medical_claim",
        "committed",
        2,
        0,
    )
    batch = IngestBatch.objects.get(pk=result.batch_id)
    assert batch.source_format == "x12" and batch.source_name == "c.837"
    assert batch.report["accepted"] == 1
    assert Account.objects.filter(group_number="G100001").exists()
    [again] = ingest_x12([path], acting_user=None)
    assert again.status == "already_loaded"
    assert "use --replace" in again.message
    [replaced] = ingest_x12([path], acting_user=None, replace=True)
    assert replaced.replaced_batch_id == result.batch_id


ENROLLMENT_834 = (
    "ISA*00*          *00*          *ZZ*SPONSOR        *ZZ*PAYER          *260101*1200*^*00501*"
    "000000002*0*P*:~GS*BE*SPONSOR*PAYER*20260101*1200*8*X*005010X220A1~"
    "ST*834*0001*005010X220A1~BGN*00*1*20260101*1200****4~REF*38*G100002~"
    "N1*P5*ACME CORP*FI*123456789~N1*IN*KEYSTONE*FI*987654321~"
    "INS*Y*18*021*28*A***FT~REF*0F*M100~REF*1L*G100002~NM1*IL*1*DOE*JOHN~"
    "N4*COLUMBUS*Ohio*43004~DMG*D8*19800101*M~HD*021**HLT*PPO*EMP~DTP*348*D8*20260101~"
    "SE*14*0001~GE*1*8~IEA*1*000000002~"
)
REMIT_835 = (
    "ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         *260201*1200*^*00501*"
    "000000003*0*P*:~GS*HP*PAYER*CLINIC*20260201*1200*9*X*005010X221A1~"
    "ST*835*0001~BPR*I*40*C*ACH*CCP*01*1*DA*1*1**01*1*DA*1*20260201~TRN*1*1*1~"
    "CLP*CLM1*1*100*40*10*12*PAYER1~CAS*CO*45*50~NM1*QC*1*DOE*JOHN****MI*M100~"
    "DTM*050*20260110~SVC*HC:99213*100*40~CAS*PR*2*10~"
    "CLP*CLM2*4*80*0*0*12*PAYER2~CAS*CO*50*80~NM1*QC*1*DOE*JOHN****MI*M100~"
    "SVC*HC:99214*80*0~PLB*1234567893*20261231*WO:1*-5~"
    "SE*14*0001~GE*1*9~IEA*1*000000003~"
)


@pytest.mark.django_db
def test_834_spans_then_835_remittances_find_their_sponsor(cast: Cast, tmp_path: Path) -> None:
    remit = tmp_path / "r.835"
    remit.write_text(REMIT_835)
    [early] = ingest_x12([remit], acting_user=None)
    assert early.rows_loaded == 0 and early.rows_rejected == 2
    assert "load the 834 or eligibility first" in early.message
    enrollment = tmp_path / "e.834"
    enrollment.write_text(ENROLLMENT_834)
    [spans] = ingest_x12([enrollment], acting_user=None, create_accounts=True)
    assert (spans.table, spans.rows_loaded) == ("eligibility", 1)
    # the state written as a name loads as its code, with a warning; DMG03's M is X12's own
    # code for male (no warning)
    assert [w["column"] for w in spans.warnings] == ["state"]
    [remits] = ingest_x12([remit], acting_user=None, replace=True)
    assert (remits.table, remits.rows_loaded, remits.rows_rejected) == ("claim_processing", 2, 0)
    assert remits.report["provider_adjustments"] == 1
    assert remits.report["provider_adjustment_total"] == -5.0
    # the decision on what an 835 cannot say, in the load's own words
    assert "its 2 claim(s) have no auto-adjudication flag and are left out of that rate" in (
        remits.message
    )

    with open_lake(SystemActor("x12 test")) as lake:
        t = lake.claim_processing
        frame = lake.execute(t.select("claim_id", "status", "carc", "carc_codes", "paid_amount"))
    got = sorted(frame.itertuples(index=False, name=None))
    assert [
        (c, s, carc if isinstance(carc, str) else None, codes) for c, s, carc, codes, _ in got
    ] == [
        ("CLM1", "paid", None, "CO-45;PR-2"),
        ("CLM2", "denied", "50", "CO-50"),
    ]


def test_files_in_other_formats_are_named(tmp_path: Path) -> None:
    fhir = tmp_path / "eob.json"
    fhir.write_text('{"resourceType": "Bundle", "entry": []}')
    with pytest.raises(IngestError, match="FHIR JSON, not X12"):
        ingest_x12([fhir], acting_user=None)
    synpuf = tmp_path / "carrier.csv"
    synpuf.write_text("DESYNPUF_ID,CLM_ID,CLM_FROM_DT\n1,2,20100101\n")
    with pytest.raises(IngestError, match="CMS DE-SynPUF"):
        ingest_x12([synpuf], acting_user=None)
    with pytest.raises(IngestError, match="CMS DE-SynPUF"):
        ingest_files("medical_claim", [synpuf], acting_user=None)
    with pytest.raises(IngestError, match="FHIR JSON"):
        ingest_files("medical_claim", [fhir], acting_user=None)
    edi = write_837(tmp_path / "c.837", professional("0001", "CLM1", "M1"))
    with pytest.raises(IngestError, match="clientdesk ingest x12"):
        ingest_files("medical_claim", [edi], acting_user=None)


@pytest.mark.django_db
def test_the_cli_loads_x12_and_exits_1_when_every_record_is_rejected(
    cast: Cast, tmp_path: Path
) -> None:
    # Set 1 (CLM1, 2 lines) reads; set 2 has a service line before its claim: rejected.
    path = write_837(
        tmp_path / "c.837",
        professional("0001", "CLM1", "M1", lines=("99213", "87070")),
        professional("0002", "CLM2", "M2", broken=True),
    )
    out = StringIO()
    call_command("ingest", "x12", str(path), "--format", "json", stdout=out)
    [answer] = json.loads(out.getvalue())
    assert (answer["table"], answer["status"], answer["rows_loaded"]) == (
        "medical_claim",
        "committed",
        2,
    )
    report = answer["report"]
    assert (report["accepted"], report["rejected"], report["records"]) == (1, 1, 3)
    # ISA 1, GS 2, set 1 from ST 3 to SE 26 (ST, 10 header segments, 2 lines x 6, SE);
    # set 2: ST 27, BHT 28, the stray SV1 29.
    assert [(t["position"], t["status"]) for t in report["transaction_sets"]] == [
        (3, "accepted"),
        (27, "rejected"),
    ]
    [finding] = report["transaction_sets"][1]["findings"]
    assert (finding["position"], finding["message"]) == (
        29,
        "SV1 without its LX (service line) loop",
    )
    # The same file as text says what became of every set, and loading it again to replace.
    text = StringIO()
    call_command("ingest", "x12", str(path), "--replace", stdout=text)
    assert (
        "c.837 -> medical_claim: 2 rows loaded, 0 rejected" in text.getvalue()
        and "[X12: 2 transaction set(s): 1 accepted, 0 accepted with errors, 1 rejected; "
        "3 record(s) read, 1 not loaded]"
        in text.getvalue()
    )
    # A file whose every set is rejected loads nothing and exits 1, in text and in JSON.
    broken = write_837(tmp_path / "b.837", professional("0001", "CLM9", "M9", broken=True))
    err = StringIO()
    with pytest.raises(SystemExit) as ended:
        call_command("ingest", "x12", str(broken), stdout=StringIO(), stderr=err)
    assert ended.value.code == 1
    assert "every transaction set of b.837 was rejected: nothing of it loaded" in err.getvalue()
    out = StringIO()
    with pytest.raises(SystemExit) as ended:
        call_command("ingest", "x12", str(broken), "--format", "json", stdout=out)
    assert ended.value.code == 1
    [nothing] = json.loads(out.getvalue())
    assert (nothing["status"], nothing["report"]["rejected"]) == ("nothing_to_load", 1)
    assert IngestBatch.objects.filter(source_name="b.837").count() == 0


# What keeps a sample's records out of a lake with no eligibility, by the lake's rules: claims
# and remittances that name no sponsor group find it through the member's eligibility (none
# here: "load the 834 or eligibility first"). Anything else is a reading error, except the
# values a sample itself gets wrong (listed with the sample).
NO_SPONSOR_YET = {NO_ELIGIBILITY, "group_id: required, empty"}
SAMPLE_ERRORS = {
    # BPR16 20002316 (month 23) and payee NPIs that fail the Luhn check, as sent
    "resources/835_005010X221A1/managed-care.835": {
        "billing_npi: expected NPI (10 digits, Luhn check digit with prefix 80840)",
        "paid_date: not a date (YYYY-MM-DD)",
    },
}


# An 834 holding the same member's same span in several sets: the last record of a span wins
# within a file (its 4 INS records are one span).
SAME_SPAN_REPEATED = {"examples/multiple_st_loops.txt": 1}


@pytest.mark.django_db
@pytest.mark.parametrize("sample", manifest(), ids=lambda r: r["file"])
def test_every_sample_loads_into_the_lake_with_every_record_accounted_for(
    sample: dict[str, str], cast: Cast
) -> None:
    require_samples()
    results = ingest_x12([Path(sample["path"])], acting_user=None, create_accounts=True)
    kind = sample["st_types"]
    tables = {"837": "medical_claim", "835": "claim_processing", "834": "eligibility"}
    if kind not in tables:  # 270/271/276/277/999: read, counted, nothing for the lake
        [result] = results
        assert result.status == "nothing_to_load"
        assert result.report["transaction_types"] == {kind: int(sample["st"])}
        return
    report = results[0].report
    loaded = [r for r in results if r.table == tables[kind]]
    if kind == "834":
        assert report["records"] == int(sample["INS"])
        if not loaded:  # a change of a span never loaded (no start date): counted, not loaded
            assert report["span_changes_unmatched"] == report["rejected_records"] == 1
            return
    [result] = loaded
    expected = {
        "837": int(sample["SV1"]) + int(sample["SV2"]) + int(sample["SV3"]),
        "835": int(sample["CLP"]),
        "834": SAME_SPAN_REPEATED.get(sample["file"], report["rows"].get("eligibility", 0)),
    }[kind]
    assert (result.status, result.rows_read) == ("committed", expected)
    assert result.rows_loaded + result.rows_rejected == result.rows_read
    batch = IngestBatch.objects.get(pk=result.batch_id)
    reasons = {r["reason"] for r in batch.rejected_reasons}
    if result.rows_rejected:
        with Path(batch.rejects_path).open() as handle:
            assert sum(1 for _ in handle) == result.rows_rejected + 1  # header + one per row
    assert reasons <= NO_SPONSOR_YET | SAMPLE_ERRORS.get(sample["file"], set()), reasons
    if kind == "834":  # an 834 names its sponsor: every span loads
        assert result.rows_rejected == 0


CLAIM_SAMPLES = [s for s in manifest() if s.get("st_types") in ("837", "835")] or manifest()


@pytest.mark.django_db
@pytest.mark.parametrize("sample", CLAIM_SAMPLES, ids=lambda r: r["file"])
def test_every_claims_sample_loads_once_its_members_eligibility_is_in(
    sample: dict[str, str], cast: Cast, tmp_path: Path
) -> None:
    """Most samples' claims and remittances name no sponsor group: with their members'
    eligibility loaded first (one open span at Acme per member id the file names, in the
    file's data source), every line and remitted claim loads, but for the values a sample
    itself gets wrong."""
    require_samples()
    path = Path(sample["path"])
    converted = convert(path, tmp_path / "read")
    [table] = converted.tables
    rows = pq.read_table(converted.tables[table]).to_pylist()
    members = sorted({(r["member_id"], r.get("data_source")) for r in rows if r["member_id"]})
    assert members, "every sample claim names its member"
    spans = [  # a claim finds its member's span in the same data source (the GS sender)
        eligibility_row(
            person_id=f"P-{m}",
            member_id=m,
            subscriber_id=m,
            data_source=source or "sample",  # (a remittance matches on member id alone)
            enrollment_start_date="1990-01-01",
            enrollment_end_date="",
        )
        for m, source in members
    ]
    ingest_files("eligibility", [write_csv(tmp_path / "elig.csv", spans)], acting_user=None)
    # (a claim that names its sponsor group makes its account, as a new sponsor's file would)
    [result] = ingest_x12([path], acting_user=None, create_accounts=True)
    batch = IngestBatch.objects.get(pk=result.batch_id)
    reasons = {r["reason"] for r in batch.rejected_reasons}
    assert reasons <= SAMPLE_ERRORS.get(sample["file"], set()), reasons
    if sample["file"] not in SAMPLE_ERRORS:
        assert result.rows_loaded == result.rows_read == converted.report["records"]
