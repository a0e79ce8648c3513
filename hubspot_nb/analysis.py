"""The analyses marketing teams run every week, on the frames ``hub.contacts()`` and ``hub.deals()`` return.

Usage::

    from hubspot_nb import analysis

    props = analysis.funnel_properties(hub.properties("contacts"))  # the stage-date family this portal has
    contacts = hub.contacts(properties=props + analysis.SOURCE_PROPERTIES)
    analysis.lifecycle_funnel(contacts)  # one row per stage: reached, conversion, median days
    analysis.new_contacts_by_source(contacts)  # months × original source

Each function says which properties it reads in a constant (``FUNNEL_PROPERTIES``,
``SOURCE_PROPERTIES``, ``REVENUE_PROPERTIES``, ``DEAL_PROPERTIES``, ``EMAIL_PROPERTIES``), so a
notebook pulls exactly those; a frame without them raises ``InvalidInput`` naming what to pull. The
functions only transform DataFrames: they import pandas and the error tree, nothing that talks to
HubSpot, so they work the same on a sandbox pull, a real portal's pull or a Parquet file read back.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .errors import InvalidInput

# HubSpot's lifecycle funnel (evangelist after customer and "other" are off the funnel's main path).
DEFAULT_STAGES: tuple[str, ...] = (
    "subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer",
)  # fmt: skip
# Two families carry "when did this contact enter the stage": portals since 2023 have
# hs_v2_date_entered_<stage>; older portals (and old exports) have hs_lifecyclestage_<stage>_date.
V2_DATE = "hs_v2_date_entered_{}"
OLD_DATE = "hs_lifecyclestage_{}_date"

FUNNEL_PROPERTIES: list[str] = [V2_DATE.format(s) for s in DEFAULT_STAGES]
OLD_FUNNEL_PROPERTIES: list[str] = [OLD_DATE.format(s) for s in DEFAULT_STAGES]
SOURCE_PROPERTIES: list[str] = ["createdate", "hs_analytics_source"]
REVENUE_PROPERTIES: list[str] = ["createdate", "hs_analytics_source", "first_conversion_event_name"]
DEAL_PROPERTIES: list[str] = ["amount", "hs_is_closed_won"]
EMAIL_PROPERTIES: list[str] = [
    "hs_analytics_source", "hs_email_delivered", "hs_email_open", "hs_email_click", "hs_email_bounce",
    "hs_email_optout",
]  # fmt: skip

NO_SOURCE = "(no source)"
NO_FORM = "(no conversion)"
_DAY = pd.Timedelta(days=1)


def _require(frame: pd.DataFrame, names: Sequence[str], what: str, pull: str) -> None:
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise InvalidInput(
            f"{what} needs the propert{'y' if len(missing) == 1 else 'ies'} {', '.join(missing)}, "
            f"which this frame lacks. Pull them: {pull}."
        )


def _labels(column: pd.Series, empty: str) -> pd.Series:
    """Group labels: plain strings, the unset ones called ``empty`` (so they get a row of their own)."""
    return column.astype("string").fillna(empty)


def funnel_properties(catalogue: pd.DataFrame, stages: Sequence[str] = DEFAULT_STAGES) -> list[str]:
    """The stage-date properties to pull for ``lifecycle_funnel`` from a portal whose property
    catalogue is ``catalogue`` (``hub.properties("contacts")``): ``hs_v2_date_entered_<stage>``
    where the portal has it, else ``hs_lifecyclestage_<stage>_date``."""
    _require(catalogue, ["name"], "funnel_properties", 'hub.properties("contacts")')
    have = set(catalogue["name"])
    chosen = []
    for stage in stages:
        name = next((f.format(stage) for f in (V2_DATE, OLD_DATE) if f.format(stage) in have), None)
        if name is None:
            raise InvalidInput(
                f"This portal has neither {V2_DATE.format(stage)} nor {OLD_DATE.format(stage)}: is "
                f"{stage!r} one of its lifecycle stages? Pass stages= with the stages it has."
            )
        chosen.append(name)
    return chosen


def stage_dates(contacts: pd.DataFrame, stages: Sequence[str] = DEFAULT_STAGES) -> pd.DataFrame:
    """One column per stage (named by the stage) with the moment each contact entered it, taken from
    ``hs_v2_date_entered_<stage>`` or, where a frame has only the older family,
    ``hs_lifecyclestage_<stage>_date``."""
    columns = {}
    for stage in stages:
        name = next(
            (f.format(stage) for f in (V2_DATE, OLD_DATE) if f.format(stage) in contacts.columns), None
        )
        if name is None:
            wanted = ", ".join(V2_DATE.format(s) for s in stages)
            raise InvalidInput(
                f"The lifecycle funnel needs the date each contact entered {stage!r}: "
                f"{V2_DATE.format(stage)} (or the older {OLD_DATE.format(stage)}), which this frame "
                f"lacks. Pull them: hub.contacts(properties=[{wanted}]), or "
                f'hnb.analysis.funnel_properties(hub.properties("contacts")) for the family your portal has.'
            )
        columns[stage] = pd.to_datetime(contacts[name], utc=True)
    return pd.DataFrame(columns, index=contacts.index)


def lifecycle_funnel(contacts: pd.DataFrame, stages: Sequence[str] = DEFAULT_STAGES) -> pd.DataFrame:
    """The lifecycle funnel: one row per stage, in funnel order.

    Columns: ``reached`` (contacts with a date for the stage), ``from_previous`` (of those that
    reached the previous stage, how many reached this one too), ``conversion`` (``from_previous`` /
    previous ``reached``) and ``median_days`` (median days from entering the previous stage to
    entering this one, over the contacts with both dates). The first stage has no previous one:
    ``<NA>`` there. Contacts created straight into a later stage count from that stage on.
    """
    if not stages:
        raise InvalidInput("stages= is empty: pass the lifecycle stages to follow, e.g. DEFAULT_STAGES.")
    dates = stage_dates(contacts, stages)
    rows = []
    for k, stage in enumerate(stages):
        reached = dates[stage].notna()
        row: dict[str, object] = {"stage": stage, "reached": int(reached.sum())}
        if k:
            before = dates[stages[k - 1]].notna()
            both = reached & before
            gap = (dates.loc[both, stage] - dates.loc[both, stages[k - 1]]) / _DAY
            row["from_previous"] = int(both.sum())
            row["conversion"] = both.sum() / before.sum() if before.any() else None
            row["median_days"] = gap.median() if both.any() else None
        rows.append(row)
    out = pd.DataFrame(rows).set_index("stage")
    return out.reindex(columns=["reached", "from_previous", "conversion", "median_days"]).astype(
        {"reached": "Int64", "from_previous": "Int64", "conversion": "Float64", "median_days": "Float64"}
    )


def new_contacts_by_source(contacts: pd.DataFrame, freq: str = "MS") -> pd.DataFrame:
    """New contacts per period (``freq``: ``"MS"`` months, ``"W"`` weeks, ``"QS"`` quarters …) by
    original source (``hs_analytics_source``): one row per period (UTC), one column per source, largest
    source first; contacts without a source are counted under ``"(no source)"``."""
    _require(contacts, SOURCE_PROPERTIES, "new_contacts_by_source",
             "hub.contacts(properties=hnb.analysis.SOURCE_PROPERTIES)")  # fmt: skip
    frame = pd.DataFrame(
        {
            "created": pd.to_datetime(contacts["createdate"], utc=True),
            "source": _labels(contacts["hs_analytics_source"], NO_SOURCE),
        }
    ).dropna(subset=["created"])
    counts = frame.groupby([pd.Grouper(key="created", freq=freq), "source"]).size().unstack(fill_value=0)
    if len(counts):  # a period without new contacts keeps its row (groupby leaves it out)
        counts = counts.reindex(
            pd.date_range(counts.index.min(), counts.index.max(), freq=freq), fill_value=0
        )
    counts = counts.reindex(columns=counts.sum().sort_values(ascending=False, kind="stable").index)
    counts.columns.name = "hs_analytics_source"
    counts.index.name = "period"
    return counts.astype("int64")


def _deal_contacts(deals: pd.DataFrame, associations: pd.DataFrame | None) -> pd.DataFrame:
    """(deal, contact) pairs from ``associations`` (``hub.associations("deals", "contacts")``) or,
    without it, from the deals' ``contacts`` column (``hub.deals(associations=["contacts"])``)."""
    if associations is None:
        if "contacts" not in deals.columns:
            raise InvalidInput(
                "source_to_revenue needs to know which contacts each deal has: pull the deals with "
                'hub.deals(properties=hnb.analysis.DEAL_PROPERTIES, associations=["contacts"]), or pass '
                'associations=hub.associations("deals", "contacts").'
            )
        pairs = deals["contacts"].explode().dropna()
        return pd.DataFrame({"deal": pairs.index.astype(str), "contact": pairs.astype(str).to_numpy()})
    _require(associations, ["from_id", "to_id"], "source_to_revenue's associations",
             'associations=hub.associations("deals", "contacts")')  # fmt: skip
    pairs = pd.DataFrame(
        {"deal": associations["from_id"].astype(str), "contact": associations["to_id"].astype(str)}
    )
    deal_ids = set(deals.index.astype(str))
    if pairs["deal"].isin(deal_ids).sum() < pairs["contact"].isin(deal_ids).sum():  # contacts → deals given
        pairs = pairs.rename(columns={"deal": "contact", "contact": "deal"})
    return pairs.drop_duplicates()  # one row per link and label in HubSpot's answer: one per link here


def source_to_revenue(
    contacts: pd.DataFrame,
    deals: pd.DataFrame,
    associations: pd.DataFrame | None = None,
    by: str = "hs_analytics_source",
) -> pd.DataFrame:
    """From first conversion to closed-won revenue, per original source (or ``by=`` any contact
    column, e.g. ``"first_conversion_event_name"``: per first form).

    Each deal counts once, for the earliest-created contact associated with it (the rule HubSpot's
    deal *Original Source* follows), so the groups add up to the won revenue of deals with contacts.
    Columns: ``contacts``; ``converted`` (contacts with a first conversion, i.e. a form submission);
    ``conversion``; ``deals``; ``won_deals``; ``won_revenue`` (sum of ``amount`` of closed-won deals);
    ``win_rate`` (won / deals) and ``revenue_per_contact``. Largest revenue first.
    """
    _require(contacts, [*REVENUE_PROPERTIES, by], "source_to_revenue",
             "hub.contacts(properties=hnb.analysis.REVENUE_PROPERTIES)")  # fmt: skip
    _require(deals, DEAL_PROPERTIES, "source_to_revenue",
             'hub.deals(properties=hnb.analysis.DEAL_PROPERTIES, associations=["contacts"])')  # fmt: skip
    empty = NO_FORM if by == "first_conversion_event_name" else NO_SOURCE
    group = _labels(contacts[by], empty)
    group.index = contacts.index.astype(str)
    created = pd.to_datetime(contacts["createdate"], utc=True).set_axis(group.index)
    pairs = _deal_contacts(deals, associations)
    pairs = pairs[pairs["contact"].isin(group.index)].assign(created=lambda p: p["contact"].map(created))
    first = pairs.sort_values(["created", "contact"], na_position="last").drop_duplicates("deal")
    deal_rows = pd.DataFrame(
        {
            "won": deals["hs_is_closed_won"].fillna(False).astype(bool).to_numpy(),
            "amount": pd.to_numeric(deals["amount"]).astype("Float64").fillna(0).to_numpy(),
        },
        index=deals.index.astype(str),
    )
    attributed = first.set_index("deal")[["contact"]].join(deal_rows, how="inner")
    attributed["group"] = attributed["contact"].map(group)
    attributed["won_amount"] = attributed["amount"].where(attributed["won"], 0.0)
    per_deal = attributed.groupby("group").agg(
        deals=("won", "size"), won_deals=("won", "sum"), won_revenue=("won_amount", "sum")
    )
    converted = contacts["first_conversion_event_name"].notna().to_numpy()
    per_contact = (
        pd.DataFrame({"group": group.to_numpy(), "converted": converted})
        .groupby("group")
        .agg(contacts=("converted", "size"), converted=("converted", "sum"))
    )
    out = per_contact.join(per_deal, how="outer").fillna(0)
    out = out.astype({"contacts": "int64", "converted": "int64", "deals": "int64", "won_deals": "int64"})
    out["won_revenue"] = out["won_revenue"].astype("float64")
    out["conversion"] = out["converted"] / out["contacts"].where(out["contacts"] > 0)
    out["win_rate"] = out["won_deals"] / out["deals"].where(out["deals"] > 0)
    out["revenue_per_contact"] = out["won_revenue"] / out["contacts"].where(out["contacts"] > 0)
    out.index.name = by
    columns = ["contacts", "converted", "conversion", "deals", "won_deals", "won_revenue", "win_rate",
               "revenue_per_contact"]  # fmt: skip
    return out[columns].sort_values(["won_revenue", "contacts"], ascending=False)


def email_engagement_by_source(contacts: pd.DataFrame, by: str = "hs_analytics_source") -> pd.DataFrame:
    """Marketing-email engagement per original source (or ``by=`` another contact column), from the
    contacts' ``hs_email_*`` roll-ups: ``contacts``, ``emailed`` (contacts with a delivered email),
    ``delivered``, ``opened``, ``clicked``, ``bounced`` (sums; opens and clicks count each email
    once per contact, as HubSpot's roll-ups do), ``open_rate`` and ``click_rate`` (per delivered
    email), ``click_to_open`` and ``opted_out`` (share of contacts unsubscribed from all email)."""
    _require(contacts, [*EMAIL_PROPERTIES, by], "email_engagement_by_source",
             "hub.contacts(properties=hnb.analysis.EMAIL_PROPERTIES)")  # fmt: skip
    counts = ["hs_email_delivered", "hs_email_open", "hs_email_click", "hs_email_bounce"]
    frame = pd.DataFrame(
        {c: pd.to_numeric(contacts[c]).astype("Float64").fillna(0).to_numpy() for c in counts}
    )
    frame["group"] = _labels(contacts[by], NO_SOURCE).to_numpy()
    frame["emailed"] = frame["hs_email_delivered"] > 0
    frame["opted_out"] = contacts["hs_email_optout"].fillna(False).astype(bool).to_numpy()
    out = frame.groupby("group").agg(
        contacts=("emailed", "size"),
        emailed=("emailed", "sum"),
        delivered=("hs_email_delivered", "sum"),
        opened=("hs_email_open", "sum"),
        clicked=("hs_email_click", "sum"),
        bounced=("hs_email_bounce", "sum"),
        opted_out=("opted_out", "mean"),
    )
    out = out.astype(
        {c: "int64" for c in ("contacts", "emailed", "delivered", "opened", "clicked", "bounced")}
    )
    sent = out["delivered"].where(out["delivered"] > 0)
    out["open_rate"] = out["opened"] / sent
    out["click_rate"] = out["clicked"] / sent
    out["click_to_open"] = out["clicked"] / out["opened"].where(out["opened"] > 0)
    out.index.name = by
    columns = ["contacts", "emailed", "delivered", "opened", "clicked", "bounced", "open_rate", "click_rate",
               "click_to_open", "opted_out"]  # fmt: skip
    return out[columns].sort_values("contacts", ascending=False)
