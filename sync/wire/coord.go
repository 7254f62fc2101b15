package wire

import "time"

// The coordinators' API. A coordinator's app enrols as a laptop does, on
// PathEnrol with RoleCoordinator and a coordinator code, and signs every
// request with its Ed25519 key exactly as a laptop does (Sign); the server answers these paths only to coordinators
// (CodeCoordinatorOnly to a laptop) and the laptops' paths only to laptops
// (CodeLaptopOnly to a coordinator's app).
const (
	// PathCoordEnrol is the coordinators' apps' enrolment path before
	// PathEnrol took both roles: the server still takes it, for apps not
	// yet updated, as PathEnrol with RoleCoordinator.
	PathCoordEnrol       = "/v1/coord/enrol"
	PathCoordProject     = "/v1/coord/project"
	PathCoordSecret      = "/v1/coord/secret"
	PathCoordRevisions   = "/v1/coord/revisions"
	PathCoordReviews     = "/v1/coord/reviews"
	PathCoordTeams       = "/v1/coord/teams"
	PathCoordResearchers = "/v1/coord/researchers"
	PathCoordCodes       = "/v1/coord/codes"
	PathCoordAssignments = "/v1/coord/assignments"
	PathCoordInstruments = "/v1/coord/instruments"
	PathCoordGrants      = "/v1/coord/grants"
)

// Refusal codes of the coordinators' API.
const (
	CodeCoordinatorOnly   = "coordinator_only"
	CodeLaptopOnly        = "laptop_only"
	CodeNoTeamKey         = "no_team_key"
	CodeInvalidDefinition = "invalid_instrument"
)

func init() {
	messages[CodeCoordinatorOnly] = [2]string{
		"operazione riservata al coordinamento: questo computer è iscritto come rilevatore",
		"operation reserved to the coordinators: this computer is enrolled as a researcher's laptop"}
	messages[CodeLaptopOnly] = [2]string{
		"operazione riservata ai computer dei rilevatori: questo profilo è iscritto come coordinamento",
		"operation reserved to the researchers' laptops: this profile is enrolled as a coordinator"}
	messages[CodeNoTeamKey] = [2]string{
		"la squadra non ha ancora una chiave: nessun suo computer ha sincronizzato",
		"the team has no key yet: none of its laptops has synced"}
	messages[CodeInvalidDefinition] = [2]string{
		"definizione dello strumento non valida",
		"invalid instrument definition"}
}

// Project is the project as its coordinators see it.
type Project struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Recipient string `json:"recipient"`
	// Secret is the pseudonym secret, age ciphertext for the project key;
	// empty until a coordinator sets it (PathCoordSecret).
	Secret []byte `json:"secret,omitempty"`
}

// SecretRequest sets the project's pseudonym secret (sealed for the project
// key) when it has none; a second attempt gets CodeConflict.
type SecretRequest struct {
	Secret []byte `json:"secret"`
}

// CoordRevisions is one page of the project's revisions and review decisions
// after a cursor, for the coordinators to download and decrypt.
type CoordRevisions struct {
	Cursor    int64           `json:"cursor"`
	More      bool            `json:"more"`
	Revisions []CoordRevision `json:"revisions,omitempty"`
	Reviews   []CoordReview   `json:"reviews,omitempty"`
	Headers   []Header        `json:"headers,omitempty"` // of the page's format-2 revisions
}

// CoordRevision is a revision with what the coordinators need beyond what a
// laptop gets: the team that sent it and when it arrived. The identification
// ciphertext is left out: it is sealed for the team only.
type CoordRevision struct {
	Revision
	Team       string    `json:"team"`
	ReceivedAt time.Time `json:"received_at"`
}

// CoordReview is a decision some coordinator made, so every coordinator's
// app keeps the same history. Comments are sealed for the team and the
// project key.
type CoordReview struct {
	Seq      int64     `json:"seq"`
	ID       string    `json:"id"`
	Revision string    `json:"revision"`
	RecordID string    `json:"record_id"`
	Team     string    `json:"team"`
	Decision string    `json:"decision"`
	Comments []byte    `json:"comments,omitempty"`
	At       time.Time `json:"at"`
}

// ReviewRequest is a coordinator's decision on a revision. ID is made by the
// app (a UUID), so sending the same decision again is harmless. Comments are
// a JSON list of survey.Comment sealed by the app for the team's recipient and the
// project's (the server cannot read them).
type ReviewRequest struct {
	ID       string `json:"id"`
	Revision string `json:"revision"`
	Decision string `json:"decision"`
	Comments []byte `json:"comments,omitempty"`
}

// ReviewResponse acknowledges a decision.
type ReviewResponse struct {
	ID        string `json:"id"`
	Duplicate bool   `json:"duplicate,omitempty"`
}

// Team is a team with its people, laptops and municipalities.
type Team struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Recipient   string       `json:"recipient,omitempty"` // empty until its first laptop syncs
	Assignments []string     `json:"assignments"`
	Researchers []Researcher `json:"researchers"`
	Devices     []DeviceInfo `json:"devices"`
}

// Researcher is a person of a team.
type Researcher struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// DeviceInfo is an enrolled laptop as the coordinators see it.
type DeviceInfo struct {
	ID         string    `json:"id"`
	Label      string    `json:"label"`
	Researcher string    `json:"researcher"`
	EnrolledAt time.Time `json:"enrolled_at"`
	LastSeen   time.Time `json:"last_seen,omitzero"`
	Revoked    bool      `json:"revoked,omitempty"`
	HasTeamKey bool      `json:"has_team_key,omitempty"`
	HasSecret  bool      `json:"has_secret,omitempty"`
	MintedBy   Minter    `json:"minted_by,omitzero"` // who made the code it enrolled with
}

// Teams is the project's teams.
type Teams struct {
	Teams []Team `json:"teams"`
}

// NameRequest creates a team (Parent empty) or a researcher (Parent: the team).
type NameRequest struct {
	Parent string `json:"parent,omitempty"`
	Name   string `json:"name"`
}

// Created answers a request that made something.
type Created struct {
	ID string `json:"id"`
}

// CodeRequest asks for a one-time enrolment code: for a researcher's laptop,
// or (Coordinator) for another coordinator of the project.
type CodeRequest struct {
	Researcher  string `json:"researcher,omitempty"`
	Coordinator bool   `json:"coordinator,omitempty"`
	TTLSeconds  int64  `json:"ttl_seconds,omitempty"` // 0: 72 hours
}

// CodeResponse is a new code.
type CodeResponse struct {
	Code    string    `json:"code"`
	Expires time.Time `json:"expires"`
}

// AssignRequest gives a municipality to a team, or takes it away.
type AssignRequest struct {
	Team         string `json:"team"`
	Municipality string `json:"municipality"`
	Remove       bool   `json:"remove,omitempty"`
}

// PublishRequest publishes an instrument definition (its JSON).
type PublishRequest struct {
	Body       []byte `json:"body"`
	Dictionary []byte `json:"dictionary,omitempty"` // optional: the version's zstd dictionary (seal.TrainDictionary)
}

// Instruments lists the project's published instruments.
type Instruments struct {
	Instruments []Instrument `json:"instruments"`
}

// Grants lists the laptops still waiting for the pseudonym secret (GET), or
// hands it to them (POST), each copy sealed for one device's recipient.
type Grants struct {
	Pending []Pending `json:"pending,omitempty"`
	Grants  []Grant   `json:"grants,omitempty"`
}
