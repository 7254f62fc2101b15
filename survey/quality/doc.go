// Package quality is the coordinators' view of the pilot's data: the
// critical points of the minimum data set (for every field, how often an
// answer is missing, how often the office does not hold the datum, how often
// a rule fails, per municipality and overall, with the notes), the Scheda
// Comune grid "does the office record this field" set against what the case
// records of the same municipality contain, progress by municipality, team
// and week, and aggregated tables with small-cell suppression for
// publication. WriteHTML renders all of it as one printable page.
//
// # Counting
//
// A field is counted over the units it can be answered in: records for a
// top-level question, items for a question inside a repeat group
// (named Group.Item). A unit is applicable when the skip logic of the
// record's own instrument version shows the question (survey.Relevance), so a
// skipped question is never "missing". Of the applicable units:
//
//   - answered: an answer is given (an answer beside a "not held" mark counts
//     as answered, as in survey.ValidateAt);
//   - not held: no answer and the mark "the office does not hold this datum";
//   - missing: neither.
//
// Rule failures are counted over all units, by severity: a unit counts once
// for a field when at least one issue of survey.ValidateAt of that severity
// names the field. Issues that report a missing required answer (required.*,
// required_if.*) are not rule failures: they are the missing answers already
// counted. Issues about the identification or about unknown fields are left
// out: neither is part of the data set.
//
// # Versions
//
// Each record is counted in its own instrument version, and a field is
// followed across versions by the migrations they declare (survey.Union):
// a renamed field is one field under its newest id, whose figures are also
// given per version (FieldStats.ByVersion) so that a change between
// versions shows; a record of a version without the field counts for
// nothing in it. The result tables read each record's answer in its own
// version too, with a row for every code any version had and one for the
// records of a version without the question.
//
// # Small-cell suppression
//
// See Protect.
package quality
