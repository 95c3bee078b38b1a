package moex

import "time"

// ListEntry is a profile as listed by `moex list --json` and the native moex_list command (no secrets).
type ListEntry struct {
	Name             string  `json:"name"`
	Env              string  `json:"env"`
	Grant            string  `json:"grant"`
	Legacy           bool    `json:"legacy"`
	ClientID         string  `json:"client_id"`
	Username         string  `json:"username"`
	Status           string  `json:"status"`
	AccessExpiresAt  *string `json:"access_expires_at"`
	RefreshExpiresAt *string `json:"refresh_expires_at"`
}

// ListEntries lists the profiles in their JSON form.
func ListEntries(m *Manager, now time.Time) ([]ListEntry, error) {
	ps, err := m.List()
	if err != nil {
		return nil, err
	}
	out := make([]ListEntry, 0, len(ps))
	for _, p := range ps {
		out = append(out, ListEntry{
			Name: p.Name, Env: p.Env, Grant: p.Grant, Legacy: p.Legacy, ClientID: p.ClientID,
			Username: p.Username, Status: p.Status(now),
			AccessExpiresAt: timePtr(p.AccessExpiresAt), RefreshExpiresAt: timePtr(p.RefreshExpiresAt),
		})
	}
	return out, nil
}

func timePtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}
