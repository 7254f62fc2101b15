package quality

import (
	"fmt"
	"sort"
	"time"

	"sinba/survey"
)

// Entry is what progress needs about a record beyond its answers: where it
// stands in the review loop, the team that entered it and when it was made
// and last changed. The records alone do not carry these.
type Entry struct {
	Record  survey.Record
	Status  survey.Status
	Team    string
	Created time.Time
	Updated time.Time
}

// Statuses are the states in the order progress shows them.
var Statuses = []survey.Status{survey.StatusDraft, survey.StatusFinal, survey.StatusReturned, survey.StatusApproved}

// StatusCounts counts records by state.
type StatusCounts map[survey.Status]int

// Total is the number of records in every state.
func (s StatusCounts) Total() int {
	n := 0
	for _, v := range s {
		n += v
	}
	return n
}

// ProgressRow is the progress of one municipality or team: case records and
// municipality questionnaires by state.
type ProgressRow struct {
	Key            string       `json:"key"`
	Label          string       `json:"label"`
	Cases          StatusCounts `json:"cases"`
	Questionnaires StatusCounts `json:"questionnaires"`
}

// Week is one ISO week of the survey.
type Week struct {
	Start time.Time `json:"start"` // Monday, 00:00 UTC
	Label string    `json:"label"` // WeekLabel in Italian: "3 – 9 mar"
	// Created counts the records made in the week; Changed counts those
	// whose last change fell in the week, by the state they are in now.
	Created int          `json:"created"`
	Changed StatusCounts `json:"changed"`
	// Cumulative is every record made up to the end of the week.
	Cumulative int `json:"cumulative"`
}

// Progress is the survey's progress: by municipality, by team, by week.
type Progress struct {
	Total          ProgressRow   `json:"total"`
	ByMunicipality []ProgressRow `json:"by_municipality"`
	ByTeam         []ProgressRow `json:"by_team"`
	Weeks          []Week        `json:"weeks"`
}

// weekStart is the Monday of t's ISO week, in UTC.
func weekStart(t time.Time) time.Time {
	t = t.UTC()
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	wd := int(d.Weekday()+6) % 7 // Monday 0
	return d.AddDate(0, 0, -wd)
}

// BuildProgress aggregates entries by municipality, team and week. An
// unknown or empty state counts as a draft; entries without a creation time
// are left out of the weeks, and so are changes without a time. ref supplies
// the municipality names and may be nil.
func BuildProgress(entries []Entry, ref *survey.Reference) Progress {
	p := Progress{Total: ProgressRow{Key: "", Label: "Totale", Cases: StatusCounts{}, Questionnaires: StatusCounts{}}}
	byMuni := map[string]*ProgressRow{}
	byTeam := map[string]*ProgressRow{}
	row := func(m map[string]*ProgressRow, key string) *ProgressRow {
		r, ok := m[key]
		if !ok {
			r = &ProgressRow{Key: key, Label: key, Cases: StatusCounts{}, Questionnaires: StatusCounts{}}
			m[key] = r
		}
		return r
	}
	weeks := map[time.Time]*Week{}
	week := func(t time.Time) *Week {
		s := weekStart(t)
		w, ok := weeks[s]
		if !ok {
			w = &Week{Start: s, Label: WeekLabel(s, "it"), Changed: StatusCounts{}}
			weeks[s] = w
		}
		return w
	}
	for _, e := range entries {
		st := e.Status
		if !st.Valid() {
			st = survey.StatusDraft
		}
		for _, r := range []*ProgressRow{&p.Total, row(byMuni, e.Record.Municipality), row(byTeam, e.Team)} {
			if e.Record.Instrument == survey.InstrumentMunicipality {
				r.Questionnaires[st]++
			} else {
				r.Cases[st]++
			}
		}
		if !e.Created.IsZero() {
			week(e.Created).Created++
		}
		if !e.Updated.IsZero() {
			week(e.Updated).Changed[st]++
		}
	}
	for _, r := range byMuni {
		if ref != nil {
			if m, ok := ref.Municipality(r.Key); ok {
				r.Label = m.Name
			}
		}
		p.ByMunicipality = append(p.ByMunicipality, *r)
	}
	for _, r := range byTeam {
		if r.Key == "" {
			r.Label = "(nessuna squadra / no team)"
		}
		p.ByTeam = append(p.ByTeam, *r)
	}
	sort.Slice(p.ByMunicipality, func(i, j int) bool { return p.ByMunicipality[i].Key < p.ByMunicipality[j].Key })
	sort.Slice(p.ByTeam, func(i, j int) bool { return p.ByTeam[i].Key < p.ByTeam[j].Key })
	if len(weeks) > 0 {
		// Every week from the first to the last, empty ones included, so a
		// line chart's time axis is even.
		var first, last time.Time
		for s := range weeks {
			if first.IsZero() || s.Before(first) {
				first = s
			}
			if s.After(last) {
				last = s
			}
		}
		cum := 0
		for s := first; !s.After(last); s = s.AddDate(0, 0, 7) {
			w := week(s)
			cum += w.Created
			w.Cumulative = cum
			p.Weeks = append(p.Weeks, *w)
		}
	}
	return p
}

// months are the months' short names, January first.
var months = map[string][12]string{
	"it": {"gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"},
	"en": {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
}

// WeekLabel names the week that starts on Monday start as people read it
// ("30 nov – 6 dic", "2 – 8 giu"), not as ISO 8601 numbers it ("2026-W49");
// the year shows where the week spans two. The screens and the reports
// share it; lang is "it" or "en" (Italian otherwise).
func WeekLabel(start time.Time, lang string) string {
	names, ok := months[lang]
	if !ok {
		names = months["it"]
	}
	end := start.AddDate(0, 0, 6)
	day := func(t time.Time) string { return fmt.Sprintf("%d %s", t.Day(), names[t.Month()-1]) }
	switch {
	case start.Year() != end.Year():
		return fmt.Sprintf("%s %d – %s %d", day(start), start.Year(), day(end), end.Year())
	case start.Month() == end.Month():
		return fmt.Sprintf("%d – %s", start.Day(), day(end))
	}
	return day(start) + " – " + day(end)
}
