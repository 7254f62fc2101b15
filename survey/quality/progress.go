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
	Label string    `json:"label"` // 2025-W07
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
			y, n := s.ISOWeek()
			w = &Week{Start: s, Label: fmt.Sprintf("%04d-W%02d", y, n), Changed: StatusCounts{}}
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
