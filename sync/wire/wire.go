// Package wire is the versioned format that the laptop and the central server
// speak: paths, headers, the messages they exchange, the refusal codes, the
// zstd-compressed batch with its bounded decoder, and the request signature
// that authenticates a device. Both ends import it, so a change here is a
// change of protocol: bump Version when the meaning of a field changes.
package wire

import (
	"time"

	"sinba/survey"
)

// Version is the protocol version. The server refuses a batch or a request
// that names another one with CodeUnsupportedVersion.
const Version = 1

// Formats of a batch (Batch.Version) and of what a device reads. Format 1
// seals every record with age; format 2 seals a batch key once per batch
// with age and each record with a key derived from it (see sync/seal and
// sync/README.md). The server takes both, and serves format-2 revisions
// only to a device that asks for them (QueryFormat).
const (
	FormatV1 = 1
	FormatV2 = 2
)

// QueryFormat names the query parameter of a feed request (changes, the
// coordinators' revisions) by which a device says it reads format 2; the
// signature covers it. Without it, the feed leaves format-2 revisions out.
const QueryFormat = "format"

// Paths of the server's API.
const (
	PathEnrol   = "/v1/enrol"
	PathBatches = "/v1/batches"
	PathChanges = "/v1/changes"
	PathKeys    = "/v1/keys"
)

// Headers of an authenticated request (see Sign).
const (
	HeaderProtocol  = "Sinba-Protocol"
	HeaderDevice    = "Sinba-Device"
	HeaderTimestamp = "Sinba-Timestamp"
	HeaderNonce     = "Sinba-Nonce"
	HeaderSignature = "Sinba-Signature"
	// HeaderContentSHA256 is the hex SHA-256 of the body, covered by the
	// signature, so the server checks a request before reading its body.
	HeaderContentSHA256 = "Sinba-Content-SHA256"
)

// QueryIdempotencyKey names the query parameter (so the signature covers
// it) that makes a write safe to send again: the server answers a request
// with a key it has seen with the answer it gave then, and does nothing new.
// Every coordinator's write needs one; the app makes a UUID per operation and
// keeps it across retries.
const QueryIdempotencyKey = "idempotency_key"

// ContentTypeBatch is the media type of an uploaded batch: JSON, zstd-compressed.
const ContentTypeBatch = "application/vnd.sinba.batch+zstd"

// Role is what an enrolled app is to the server: a researcher's laptop or
// a coordinator's app. Both enrol the same way (PathEnrol) and sign their
// requests the same way (Sign); what each may do is its role's
// (sync/README.md, threat model).
type Role string

// The roles of an enrolled app.
const (
	RoleDevice      Role = "device"      // a researcher's laptop
	RoleCoordinator Role = "coordinator" // a coordinator's app
)

// EnrolRequest is what an app sends to PathEnrol, unauthenticated, with a
// one-time code: one shape for both roles. The code's kind decides the
// role (a laptop code enrols a laptop; a coordinator or project code, a
// coordinator's app); Role says which one the app is, and a code of the
// other kind is refused and stays unspent. An empty Role is a laptop's:
// laptops not yet updated send none.
type EnrolRequest struct {
	Version   int    `json:"version"`
	Code      string `json:"code"`
	Role      Role   `json:"role,omitempty"`
	SignKey   []byte `json:"sign_key"`  // Ed25519 public key that signs every later request
	Recipient string `json:"recipient"` // the app's age X25519 recipient: a team key or the pseudonym secret is wrapped for it
	Label     string `json:"label"`     // a name for the computer, shown to coordinators and teammates
	// ProjectRecipient and ProjectSecret are read only when a coordinator
	// code creates the project (sinba-server code --coordinator
	// --new-project): the project key pair and the pseudonym secret are made
	// in the coordinator's app, and the server receives the public half and
	// the secret sealed for it, never the private half.
	ProjectRecipient string `json:"project_recipient,omitempty"`
	ProjectSecret    []byte `json:"project_secret,omitempty"` // the pseudonym secret, age ciphertext for ProjectRecipient
}

// EnrolResponse tells the app who it is from now on: its role, its id and
// its project; a laptop's team and researcher too.
type EnrolResponse struct {
	Role Role `json:"role"`
	// The app's id, under its role's name (the name the apps not yet
	// updated read): DeviceID for a laptop, CoordinatorID for a
	// coordinator's app. ID returns it.
	DeviceID         string `json:"device_id,omitempty"`
	CoordinatorID    string `json:"coordinator_id,omitempty"`
	ProjectID        string `json:"project_id"`
	ProjectName      string `json:"project_name"`
	ProjectRecipient string `json:"project_recipient"` // coordinators' age recipient
	TeamID           string `json:"team_id,omitempty"`
	TeamName         string `json:"team_name,omitempty"`
	ResearcherName   string `json:"researcher_name,omitempty"`
	Created          bool   `json:"created,omitempty"` // a project code created the project with the request's key
}

// ImpliedRole is the role an answer without Role names by its id alone (the
// answer of a server from before Role): a laptop's device_id or a
// coordinator's coordinator_id, never both; "" when it names neither or
// both.
func (r *EnrolResponse) ImpliedRole() Role {
	switch {
	case r.DeviceID != "" && r.CoordinatorID == "":
		return RoleDevice
	case r.CoordinatorID != "" && r.DeviceID == "":
		return RoleCoordinator
	}
	return ""
}

// ID is the enrolled app's id, whatever its role.
func (r *EnrolResponse) ID() string {
	if r.Role == RoleCoordinator {
		return r.CoordinatorID
	}
	return r.DeviceID
}

// Revision is one saved version of a record as it travels and as the server
// keeps it: a clear envelope with only what the server needs to route, check
// and count it, and two ciphertexts it cannot open.
type Revision struct {
	RecordID          string        `json:"record_id"`
	Revision          string        `json:"revision"`
	BaseRevision      string        `json:"base_revision,omitempty"`   // the version this one was edited from; empty for the first
	MergedRevision    string        `json:"merged_revision,omitempty"` // the other version a resolution of a conflict merged
	Instrument        string        `json:"instrument"`
	InstrumentVersion int           `json:"instrument_version"`
	Municipality      string        `json:"municipality"` // ISTAT code
	Status            survey.Status `json:"status"`
	SavedAt           time.Time     `json:"saved_at"`
	Content           []byte        `json:"content"`            // ciphertext for the project and the team: answers and notes
	Identity          []byte        `json:"identity,omitempty"` // ciphertext for the team only: the child's identification
	// Header is, downstream only, the id of the batch whose header holds the
	// keys of a format-2 revision; empty for format 1 (age per record).
	Header   string `json:"header,omitempty"`
	Origin   string `json:"origin,omitempty"`   // downstream only: the device that sent it
	Conflict bool   `json:"conflict,omitempty"` // downstream only: another edit shares its base
	// Seq is, downstream only, the item's place in the feed: a colleague's
	// correction builds on a review decision, so a page is applied in this
	// order, revisions and reviews interleaved.
	Seq int64 `json:"seq,omitempty"`

	malformed bool // set by DecodeBatch when the revision's JSON did not parse
}

// Batch is the unit of upload. A batch cut at any byte is simply sent again:
// the server deduplicates by revision id, and answers a repeated batch id with
// the receipt it already gave.
type Batch struct {
	Version   int        `json:"version"`          // FormatV1 or FormatV2
	ID        string     `json:"id"`               // UUID
	Header    *Header    `json:"header,omitempty"` // format 2: the keys of every revision of the batch
	Revisions []Revision `json:"revisions"`
}

// Header is the header of a format-2 batch: a content key sealed with age
// for the project and the team, and an identity key sealed for the team
// alone. The server keeps it once and hands it out with the revisions it
// opens, named by Batch.
type Header struct {
	Batch    string `json:"batch"`
	Content  []byte `json:"content"`
	Identity []byte `json:"identity,omitempty"`
}

// Receipt is the server's answer to a batch: what it accepted, what it
// refused and why. The laptop keeps it and shows it.
type Receipt struct {
	BatchID    string     `json:"batch_id"`
	DeviceID   string     `json:"device_id"`
	ReceivedAt time.Time  `json:"received_at"`
	Accepted   []Accepted `json:"accepted"`
	Refused    []Refused  `json:"refused"`
	// Count is, for a format-2 batch, how many revisions the server holds;
	// Accepted then lists only those it already had or found in conflict,
	// and the laptop expands the receipt (ExpandReceipt).
	Count int `json:"count,omitempty"`
}

// Accepted is one revision the server holds.
type Accepted struct {
	RecordID  string `json:"record_id"`
	Revision  string `json:"revision"`
	Duplicate bool   `json:"duplicate,omitempty"` // it already had it: nothing new was stored
	Conflict  bool   `json:"conflict,omitempty"`  // another edit of the same base exists: both are kept
}

// Refused is one revision the server did not take.
type Refused struct {
	RecordID string `json:"record_id"`
	Revision string `json:"revision"`
	Error
}

// Changes is one page of what the server has for a device since its cursor,
// with the state of the team key.
type Changes struct {
	Cursor      int64        `json:"cursor"` // give it back to get the next page
	More        bool         `json:"more"`
	Instruments []Instrument `json:"instruments,omitempty"`
	Assignments []string     `json:"assignments"` // the team's municipalities, all of them
	Revisions   []Revision   `json:"revisions,omitempty"`
	Reviews     []Review     `json:"reviews,omitempty"`
	Headers     []Header     `json:"headers,omitempty"` // of the format-2 revisions of the page, reviewed ones included
	Keys        KeyState     `json:"keys"`
}

// Instrument is a published instrument definition; the body is the
// instrument's own JSON, opaque to sync.
type Instrument struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	Body    []byte `json:"body"`
	// Dictionary is the version's zstd dictionary, if it has one, trained on
	// synthetic records (seal.TrainDictionary): public, like the body.
	Dictionary []byte `json:"dictionary,omitempty"`
}

// Review is a coordinator's decision on a revision. Comments are age
// ciphertext for the team of a JSON list of survey.Comment. The reviewed revision comes with it so that a
// laptop that never had the record can still show it.
type Review struct {
	Seq      int64         `json:"seq,omitempty"` // place in the feed (see Revision.Seq)
	ID       string        `json:"id"`            // also the id of the revision the review makes
	Decision survey.Status `json:"decision"`
	Comments []byte        `json:"comments,omitempty"`
	Reviewed Revision      `json:"reviewed"`
	At       time.Time     `json:"at"`
}

// DecidedAt is when the decision counts as taken in a record's history: At,
// but never before the version it decides on. The server keeps At to the
// second and a laptop's SavedAt to the millisecond, so a decision made in
// the same second as the version would otherwise sort before it.
func (rv *Review) DecidedAt() time.Time {
	if rv.At.Before(rv.Reviewed.SavedAt) {
		return rv.Reviewed.SavedAt
	}
	return rv.At
}

// KeyState is what a device needs to hold and to pass on the team key.
type KeyState struct {
	TeamRecipient string    `json:"team_recipient,omitempty"` // empty until the first laptop of the team makes the key
	Wrapped       []byte    `json:"wrapped,omitempty"`        // the team identity, age-encrypted for this device
	Pending       []Pending `json:"pending,omitempty"`        // colleagues still waiting for the team key
	// ProjectSecret is the project's pseudonym secret (survey.Pseudonym),
	// age-encrypted for this device by a coordinator or a colleague.
	ProjectSecret []byte `json:"project_secret,omitempty"`
	// SecretPending are colleagues still waiting for the pseudonym secret;
	// listed only to a device that holds it.
	SecretPending []Pending `json:"secret_pending,omitempty"`
	// Origin says, to a device that holds a copy, which laptop made the team
	// key and which handed this device its copy.
	Origin *KeyOrigin `json:"origin,omitempty"`
}

// KeyOrigin is where a device's copy of the team key came from, described
// as the waiting devices are (Recipient empty): the laptop that made the key
// (the team's first) and the one that handed the copy over. A key made by a
// laptop whose code a coordinator made is one a coordinator may hold.
type KeyOrigin struct {
	MadeBy    Pending `json:"made_by"`
	GrantedBy Pending `json:"granted_by"`
}

// Pending is a device of the team that has no copy of the team key yet,
// with what a teammate needs to decide whether to hand it over (the same
// description names the laptops a key came from, in KeyOrigin). Everything
// but Recipient is the server's word; the laptop can check only that the
// recipient's fingerprint (KeyFingerprint) is the one the new laptop shows.
type Pending struct {
	DeviceID   string    `json:"device_id"`
	Recipient  string    `json:"recipient"`
	Label      string    `json:"label,omitempty"`      // the laptop's name, as it gave it at enrolment
	Researcher string    `json:"researcher,omitempty"` // the researcher its code was made for
	EnrolledAt time.Time `json:"enrolled_at,omitzero"`
	MintedBy   Minter    `json:"minted_by,omitzero"`
}

// Minter says who made the code a device enrolled with: the server's
// administrator (the sinba-server command), or a coordinator's app.
type Minter struct {
	Coordinator      string `json:"coordinator,omitempty"`       // the coordinator app's id; empty: the server's administrator
	CoordinatorLabel string `json:"coordinator_label,omitempty"` // the coordinator app's name, as it gave it at enrolment
}

// ByCoordinator reports whether a coordinator's app made the code.
func (m Minter) ByCoordinator() bool { return m.Coordinator != "" }

// KeysRequest sets the team recipient (only when the team has none) and hands
// the team key to devices, each copy wrapped for one device's recipient.
type KeysRequest struct {
	TeamRecipient string  `json:"team_recipient,omitempty"`
	Grants        []Grant `json:"grants,omitempty"`
	SecretGrants  []Grant `json:"secret_grants,omitempty"` // the pseudonym secret, wrapped for colleagues
}

// Grant is the team identity wrapped for one device.
type Grant struct {
	DeviceID string `json:"device_id"`
	Wrapped  []byte `json:"wrapped"`
}
