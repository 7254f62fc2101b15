// Package coordinator holds the coordinators' screens: progress, the review
// queue with per-field comments and history, the critical points of the data
// set with the printable report, the protected result tables and the
// exports. It knows storage and sync only through the Backend interface
// declared here; cmd/sinba/internal/backend implements it over the
// coordinator profile (package sync/coord).
package coordinator

import (
	"context"
	"time"

	"sinba/survey"
	"sinba/survey/export"
	"sinba/survey/instdiff"
	"sinba/survey/printout"
	"sinba/survey/quality"
)

// Backend is what the coordinators' screens need.
type Backend interface {
	// Profile says which project this is and whether the project key is here.
	Profile(ctx context.Context) (Profile, error)
	// Sync downloads and decrypts what the server has since the last time.
	Sync(ctx context.Context) (SyncSummary, error)
	// Entries returns every record held, decrypted, with status and team.
	Entries(ctx context.Context) ([]quality.Entry, error)
	// History returns every version of a record, oldest first.
	History(ctx context.Context, recordID string) ([]Version, error)
	// Review approves a record or returns it with comments.
	Review(ctx context.Context, recordID string, decision survey.Status, comments []survey.Comment) error
	// ReviewState returns where a record stands in the review loop: the
	// last decision and the version it was about (Reviewed), the latest
	// version from a laptop (Latest), whether it was finalised again after
	// a return (Resubmitted: "corretta dopo la restituzione"), the fields
	// changed between the two (Changed) and every comment thread with its
	// state and the researcher's replies.
	ReviewState(ctx context.Context, recordID string) (survey.ReviewState, error)
	// Export writes the records in the given states in one format into dir,
	// with its manifest, and logs it; it returns what it wrote and, for
	// SINBA flows, what it left out and why.
	Export(ctx context.Context, req ExportRequest) (ExportResult, error)
	// PlanExport says what a SINBA export would write, writing nothing:
	// how many records go into the flows, and which are left out and why.
	PlanExport(ctx context.Context, req ExportRequest) (ExportResult, error)
	// Instruments returns the instrument versions held now, built in and
	// published: after a publish or a download they include what it
	// brought. Each load of the screens reads them again.
	Instruments(ctx context.Context) (*survey.Registry, error)

	// Teams asks the server for the project's teams now.
	Teams(ctx context.Context) ([]Team, error)
	// CreateTeam adds a team to the project.
	CreateTeam(ctx context.Context, name string) error
	// CreateResearcher adds a researcher to a team (by id).
	CreateResearcher(ctx context.Context, teamID, name string) error
	// EnrolmentCode makes a one-time code for a researcher's laptop.
	EnrolmentCode(ctx context.Context, researcherID string) (Code, error)
	// Assign gives a municipality (ISTAT code) to a team, or takes it away.
	Assign(ctx context.Context, teamID, municipality string, remove bool) error
	// CheckPublish reads an instrument file (JSON or spreadsheet), checks
	// it and sets it against the version before it, for the coordinator to
	// see before publishing; what is wrong with the file is in Problems.
	CheckPublish(ctx context.Context, name string, data []byte) (PublishCheck, error)
	// Publish publishes an instrument definition (its JSON) to the project;
	// the server refuses one the app could not read.
	Publish(ctx context.Context, body []byte) (Published, error)
	// ExportKey returns the project key encrypted with passphrase, for a
	// second coordinator.
	ExportKey(ctx context.Context, passphrase []byte) ([]byte, error)
	// ImportKey imports a project key file, opened with its passphrase
	// (as "sinba coord key-import" does).
	ImportKey(ctx context.Context, data, passphrase []byte) error
}

// Team is a team of the project with its people, laptops and
// municipalities.
type Team struct {
	ID, Name       string
	Researchers    []Researcher
	Municipalities []string // ISTAT codes
	Devices        []Device
}

// Device is a laptop enrolled in a team, as the server lists it.
type Device struct {
	Label, Researcher string
	EnrolledAt        time.Time
	HasTeamKey        bool   // a researcher of the team has handed it the team key
	Revoked           bool   // refused by the server
	ByCoordinator     bool   // a coordinator's app made its enrolment code
	Coordinator       string // that app's name
}

// Researcher is a person of a team.
type Researcher struct{ ID, Name string }

// Code is a one-time enrolment code.
type Code struct {
	Code    string
	Expires time.Time
}

// Published is an instrument version the server accepted.
type Published struct {
	ID      string
	Version int
}

// PublishCheck is an instrument file checked before publishing.
type PublishCheck struct {
	// Problems are what is wrong with the file, each where it is; the
	// rest is set only when there are none.
	Problems []Problem
	ID       string
	Version  int
	Body     []byte // the definition to publish (canonical JSON)
	// Previous is the version it is compared with (0: a new instrument),
	// published or built into the app.
	Previous          int
	PreviousPublished bool
	Changes           []instdiff.Change
	// Old and New are the two definitions compared (Old nil for a new
	// instrument), for the version diff report.
	Old, New *survey.Instrument
	// AlreadyPublished: the same version with the same content is
	// published; there is nothing to send.
	AlreadyPublished bool
}

// Problem is one thing wrong in an instrument file.
type Problem struct {
	Where   string // "survey!C14", "riga 3, colonna 15"; "" for the whole file
	Message survey.Text
}

// Profile is the coordinator's enrolment.
type Profile struct {
	Project, Server string
	HasProjectKey   bool
	// Operator is the codice fiscale that last sent SINBA flows of the
	// project from this profile; "" before the first.
	Operator string
}

// SyncSummary is what one download brought.
type SyncSummary struct {
	Revisions, Reviews, Unreadable, SecretsGranted int
}

// Version is one saved version of a record.
type Version struct {
	Revision string
	Status   survey.Status
	At       time.Time
	ByCoord  bool   // a coordinators' decision
	Origin   string // the laptop (device id) that saved it; "" for a decision
	Comments []survey.Comment
	// Record is the version's content; for a decision, the version decided on.
	Record survey.Record
	// Unreadable is set when the version could not be decrypted.
	Unreadable bool
}

// ExportRequest asks for one export.
type ExportRequest struct {
	Format      string // csv, spss, stata, xlsx, sinba
	Dir         string
	Statuses    []survey.Status
	CFOperatore string // SINBA flows only
}

// ExportResult is what an export wrote (or, planned, would write).
type ExportResult struct {
	Records, Files int
	Dir            string
	// Versions counts the records exported by instrument version.
	Versions []ExportVersion
	// Refused are the case records a SINBA export left out, each with its
	// reasons (a state not exported, an error of the record or of its
	// Ente's header).
	Refused []export.Refusal
	// Manifest is the name of the manifest written in Dir ("" for a plan).
	Manifest string
}

// ExportVersion is how many records of one instrument version an export
// holds.
type ExportVersion struct {
	Instrument       string
	Version, Records int
}

// Deps are what New needs.
type Deps struct {
	Backend  Backend
	Registry *survey.Registry
	Ref      *survey.Reference
	Language string // "it" (default) or "en"
	// Now is the reference date of the rules; nil means time.Now.
	Now func() time.Time
	// SaveFile asks where to write a file (the report); nil uses Fyne's
	// dialog. Tests pass their own.
	SaveFile func(name string, write func(path string) error)
	// ChooseFolder asks for a folder (exports); nil uses Fyne's dialog.
	ChooseFolder func(pick func(dir string))
	// OpenFile asks for a file to read (an instrument definition); nil uses
	// Fyne's dialog.
	OpenFile func(pick func(name string, data []byte))
	// Fonts set the PDF of a record under review; without them the review
	// offers no printout.
	Fonts printout.Fonts
	// Background runs the screens' calls to the server; nil starts a
	// goroutine for each. Tests run them in place, since Fyne's test driver
	// applies fyne.Do on the calling goroutine.
	Background func(run func())
}
