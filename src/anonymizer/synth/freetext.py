"""Free-text columns (schema group L) with planted entities and their character offsets.

Each template is a list of segments: a literal, a literal that is itself an entity (a health
word), or a row-aligned array that is an entity (a name, a phone...). Texts are concatenated
in pyarrow and offsets are the running sum of segment lengths, so they are exact by
construction; the tests still re-check them by slicing the written text.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from anonymizer.synth import arrowfmt as af

DTREF = int((np.datetime64("2021-12-31") - af.EPOCH).astype(int))


def _compose(rows: np.ndarray, segs: list, start: int, record: bool = True) -> tuple[pa.Array, list[list]]:
    m = len(rows)
    take = pa.array(rows.astype(np.int64))
    pieces = []
    pos = np.zeros(m, np.int64)
    spans = []
    for seg in segs:
        if isinstance(seg, str):
            pieces.append(seg)
            pos = pos + len(seg)
            continue
        if isinstance(seg, pa.Array):  # a plain (non-entity) array segment
            sub = seg.take(take)
            pieces.append(sub)
            pos = pos + af.lengths(sub)
            continue
        value, entity = seg
        if isinstance(value, str):
            pieces.append(value)
            length = np.full(m, len(value), np.int64)
        else:
            sub = value.take(take)
            pieces.append(sub)
            length = af.lengths(sub)
        if record:
            spans.append(np.column_stack([rows + start, pos, pos + length, np.full(m, entity, dtype=object)]))
        pos = pos + length
    text = af.cat(*pieces) if any(isinstance(p, pa.Array) for p in pieces) else af.const("".join(pieces), m)
    return text, spans


def _fill(n: int, parts: list[tuple[np.ndarray, pa.Array]]) -> pa.Array:
    out = np.full(n, "", dtype=object)
    for rows, text in parts:
        if len(rows):
            out[rows] = np.asarray(text.to_pylist(), dtype=object)
    return pa.array(out, pa.string())


def _column(rng, n: int, start: int, filled: np.ndarray, templates: list[list], weights, valid=None,
            record: bool = True):
    """Pick a template per filled row (falling back to template 0 when invalid) and compose."""
    t = rng.choice(len(templates), size=n, p=np.asarray(weights, float) / sum(weights))
    if valid:
        for i, ok in valid.items():
            t = np.where((t == i) & ~ok, 0, t)
    parts, spans = [], []
    for i, segs in enumerate(templates):
        rows = np.flatnonzero(filled & (t == i))
        if not len(rows):
            continue
        text, sp = _compose(rows, segs, start, record)
        parts.append((rows, text))
        spans.extend(sp)
    return _fill(n, parts), spans


def free_text_columns(rng, n: int, start: int, v: dict) -> tuple[dict[str, pa.Array], dict[str, list]]:
    """COMMENT_GEST, COMMENT_CTRL, MOTIF_SUSP, OBS_TS, OBJ_DERCOURRIEL and their entity spans."""
    P = v["pools"]
    nom, prenom = v["nomfam"], v["prenom"]
    civ = af.where(v["sex"] == 1, "M.", "Mme")
    nom2 = af.pick(P.last, rng.integers(0, len(P.last), n))
    sex2 = rng.random(n) < 0.5
    prenom2 = af.where(sex2, af.pick(P.first_m, rng.integers(0, len(P.first_m), n)),
                       af.pick(P.first_f, rng.integers(0, len(P.first_f), n)))
    man_first = af.pick(P.first_m, rng.integers(0, len(P.first_m), n))
    person2 = af.cat(prenom2, " ", nom2)
    ranges = ("019900", "026191", "035301", "046571", "053649", "063998")
    dig = af.cat(af.pick(ranges, rng.integers(0, len(ranges), n)), af.int_str(rng.integers(0, 10_000, n), 4))
    sl = [pc.utf8_slice_codeunits(dig, i, i + 2) for i in range(0, 10, 2)]
    phone = af.where(rng.random(n) < 0.6, af.cat(sl[0], " ", sl[1], " ", sl[2], " ", sl[3], " ", sl[4]), dig)
    recent = DTREF - rng.integers(0, 700, n)
    date = af.date_str(recent)
    jjmm = pc.utf8_slice_codeunits(date, 0, 5)
    amount = af.money(np.round(np.exp(rng.uniform(np.log(40), np.log(4000), n)) * 100).astype(np.int64))
    nir15 = v["nir15"]
    ns = [pc.utf8_slice_codeunits(nir15, a, b) for a, b in ((0, 1), (1, 3), (3, 5), (5, 7), (7, 10), (10, 13), (13, 15))]
    nir_spaced = af.cat(ns[0], " ", ns[1], " ", ns[2], " ", ns[3], " ", ns[4], " ", ns[5], " ", ns[6])
    nir_txt = af.where(rng.random(n) < 0.4, nir_spaced, nir15)
    ctrl_date = af.date_str(np.where(v["ctrl"], v["dtderctrl"], DTREF))
    numvoie = af.where(pc.equal(v["numvoie"], "").to_numpy(zero_copy_only=False),
                       af.int_str(rng.integers(1, 60, n)), v["numvoie"])
    address = af.cat(numvoie, " ", v["typvoie"], " ", v["libvoie"])
    company = af.pick(P.companies, rng.integers(0, len(P.companies), n))
    has_emp = v["is_sal"] & ~pc.equal(v["employeur"], "").to_numpy(zero_copy_only=False)
    has_mail = ~pc.equal(v["mail"], "").to_numpy(zero_copy_only=False)
    texts: dict[str, pa.Array] = {}
    rec = v.get("record", True)
    spans: dict[str, list] = {}

    gest = [
        ["Appel de ", civ, " ", (nom, "PERSON"), " le ", (jjmm, "DATE"), ", rappeler au ", (phone, "PHONE"), "."],
        ["Attestation employeur ", (v["employeur"], "ORGANIZATION"), " reçue."],
        ["NIR ", (nir_txt, "NIR"), " à vérifier."],
        ["Voisine (", (person2, "PERSON"), ") signale un départ du logement."],
        ["Ex-conjoint ", (person2, "PERSON"), " ne verse plus la pension (", (amount, "AMOUNT"), " €)."],
        ["Dossier complet, RAS."],
        ["Relance pièces justificatives envoyée le ", (date, "DATE"), "."],
        ["RIB modifié, nouvel IBAN ", (v["iban"], "IBAN"), "."],
        [civ, " ", (af.cat(prenom, " ", nom), "PERSON"), " signale une ", ("hospitalisation", "HEALTH"),
         " de son enfant, pièces à suivre."],
    ]
    texts["COMMENT_GEST"], spans["COMMENT_GEST"] = _column(
        rng, n, start, rng.random(n) < 0.40, gest, [20, 10, 12, 10, 8, 12, 10, 8, 10], {1: has_emp}, rec)

    ctrl_t = [
        ["Visite du ", (ctrl_date, "DATE"), " au ", (address, "ADDRESS"), ", présence de M. ",
         (af.cat(man_first, " ", nom2), "PERSON"), " (concubin non déclaré ?), IBAN ", (v["iban"], "IBAN"),
         " au nom de ", (af.cat(prenom, " ", nom), "PERSON"), "."],
        ["Contrôle sur pièces du ", (ctrl_date, "DATE"), " : ressources non déclarées de ", (amount, "AMOUNT"),
         " € sur 2020."],
        ["Échange de données : écart de revenus avec l'employeur ", (company, "ORGANIZATION"), "."],
        ["Contrôle du ", (ctrl_date, "DATE"), " sans anomalie."],
    ]
    texts["COMMENT_CTRL"], spans["COMMENT_CTRL"] = _column(rng, n, start, v["ctrl"], ctrl_t, [35, 25, 15, 25], None, rec)

    exp = af.date_str(DTREF - rng.integers(10, 200, n))
    susp = [
        ["Pièces non fournies (titre de séjour exp. ", (exp, "DATE"), ")"],
        [("Hospitalisation longue durée", "HEALTH")],
        ["Courrier revenu NPAI"],
        ["Absence de réponse au contrôle du ", (date, "DATE")],
    ]
    texts["MOTIF_SUSP"], spans["MOTIF_SUSP"] = _column(rng, n, start, v["suspendu"], susp, [35, 20, 25, 20], None, rec)

    kid = v["kfirst"]
    obs = [
        [("Suivi psychiatrique", "HEALTH"), " en cours, orientation vers le CMP."],
        [("Grossesse à risque", "HEALTH"), ", suivi PMI."],
        ["Mesure d'éloignement du conjoint prononcée le ", (date, "DATE"), "."],
        ["Information préoccupante transmise à l'ASE concernant ", (kid, "FIRST_NAME"), "."],
        [("Addiction à l'alcool", "HEALTH"), " signalée, orientation CSAPA. Joignable au ", (phone, "PHONE"), "."],
        ["Enfant ", (kid, "FIRST_NAME"), " déscolarisé depuis la rentrée, contact avec le collège."],
        [("Dépression sévère", "HEALTH"), ", ", ("arrêt maladie", "HEALTH"), " prolongé."],
    ]
    texts["OBS_TS"], spans["OBS_TS"] = _column(
        rng, n, start, rng.random(n) < 0.10, obs, [18, 12, 12, 14, 14, 12, 18], {3: v["has_kids"], 5: v["has_kids"]}, rec)

    mail_obj = [
        ["Changement de situation – ", (af.cat(prenom, " ", nom), "PERSON")],
        ["Attestation de loyer"],
        ["Réclamation indu de ", (amount, "AMOUNT"), " €"],
        ["Message de ", (v["mail"], "EMAIL")],
        ["Demande RSA ", (af.cat(prenom, " ", nom), "PERSON")],
        ["Déclaration de ", ("grossesse", "HEALTH")],
    ]
    texts["OBJ_DERCOURRIEL"], spans["OBJ_DERCOURRIEL"] = _column(
        rng, n, start, rng.random(n) < 0.30, mail_obj, [30, 20, 12, 15, 15, 8], {3: has_mail}, rec)
    return texts, spans
