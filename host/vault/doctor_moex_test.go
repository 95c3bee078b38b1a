package vault

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/moex"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

// Doctor checks MOEX profiles: settings (token URL), the secrets a sign-in needs, items that
// cannot be read, the settings item a lost profile is rebuilt from; MOEX keyring items
// without a profile are rebuilt into one, or reported once per profile with the fix.
func TestDoctorMoexProfiles(t *testing.T) {
	type want struct {
		key, text string
		repaired  bool // after a repair
		note      bool
	}
	modify := func(t *testing.T, f *doctorFixture, name string, fn func(*moex.Profile)) {
		require.NoError(t, f.m.Profiles.Modify(func(ps []moex.Profile) ([]moex.Profile, error) {
			for i := range ps {
				if ps[i].Name == name {
					fn(&ps[i])
				}
			}
			return ps, nil
		}))
	}
	drop := func(t *testing.T, f *doctorFixture, name string) {
		require.NoError(t, f.m.Profiles.Modify(func(ps []moex.Profile) ([]moex.Profile, error) {
			out := ps[:0]
			for _, p := range ps {
				if p.Name != name {
					out = append(out, p)
				}
			}
			return out, nil
		}))
	}
	// damage stores a large secret in item (several chunks) and changes one chunk.
	damage := func(t *testing.T, f *doctorFixture, mem *secretstore.Memory, item string) {
		require.NoError(t, f.v.Secrets.Set(item, strings.Repeat("x", 2*secretstore.ChunkSize)))
		require.NoError(t, mem.Set(item+"#chunk-1", "tampered"))
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, f *doctorFixture, mem *secretstore.Memory)
		want  []want
		after func(t *testing.T, f *doctorFixture)
	}{
		{name: "healthy", setup: func(*testing.T, *doctorFixture, *secretstore.Memory) {}},
		{name: "password missing", setup: func(t *testing.T, f *doctorFixture, mem *secretstore.Memory) {
			require.NoError(t, mem.Delete("moex/main/password"))
		}, want: []want{{key: "moex/main/password", text: "re-enter it: `tokenbridge moex add main --force …`"}}},
		{name: "client secret missing", setup: func(t *testing.T, f *doctorFixture, mem *secretstore.Memory) {
			require.NoError(t, mem.Delete("moex/svc/client_secret"))
		}, want: []want{{key: "moex/svc/client_secret", text: "the client secret is missing"}}},
		{name: "client secret missing, profile of an older tokenbridge", setup: func(t *testing.T, f *doctorFixture, mem *secretstore.Memory) {
			require.NoError(t, mem.Delete("moex/svc/client_secret"))
			modify(t, f, "svc", func(p *moex.Profile) { p.PublicClient = nil })
		}, want: []want{{key: "moex/svc/client_secret", text: "right for a public client", note: true},
			{key: "moex/svc/profile", text: "settings item out of date", repaired: true, note: true}}},
		{name: "invalid token URL", setup: func(t *testing.T, f *doctorFixture, mem *secretstore.Memory) {
			modify(t, f, "main", func(p *moex.Profile) { p.TokenURL = "http://any-host/token" })
		}, want: []want{{key: "moex/main", text: "the default for play is " + moex.PlayTokenURL}}},
		{name: "damaged refresh token", setup: func(t *testing.T, f *doctorFixture, mem *secretstore.Memory) {
			damage(t, f, mem, "moex/main/refresh_token")
		}, want: []want{{key: "moex/main/refresh_token", text: "`tokenbridge moex token main` refreshes or signs in again", repaired: true}},
			after: func(t *testing.T, f *doctorFixture) {
				_, err := f.v.Secrets.Get("moex/main/refresh_token")
				require.ErrorIs(t, err, secretstore.ErrNotFound)
				_, err = f.m.Token(context.Background(), "main", moex.TokenOptions{})
				require.NoError(t, err)
			}},
		{name: "damaged password", setup: func(t *testing.T, f *doctorFixture, mem *secretstore.Memory) {
			damage(t, f, mem, "moex/main/password")
		}, want: []want{{key: "moex/main/password", text: "chunks do not add up"}}},
		{name: "settings item missing", setup: func(t *testing.T, f *doctorFixture, mem *secretstore.Memory) {
			require.NoError(t, mem.Delete("moex/public/profile"))
		}, want: []want{{key: "moex/public/profile", text: "settings item missing", repaired: true, note: true}},
			after: func(t *testing.T, f *doctorFixture) {
				p, err := moex.ReadRecord(f.v.Secrets, "public")
				require.NoError(t, err)
				require.Equal(t, settings(f.moex[2]), p)
			}},
		{name: "items without a profile, no settings item", setup: func(t *testing.T, f *doctorFixture, mem *secretstore.Memory) {
			drop(t, f, "svc")
			require.NoError(t, mem.Delete("moex/svc/profile"))
		}, want: []want{{key: "moex/svc", text: "could not rebuild it: re-add it with `tokenbridge moex add svc --force …`"}}},
		{name: "items without a profile, rebuilt from the settings item", setup: func(t *testing.T, f *doctorFixture, mem *secretstore.Memory) {
			drop(t, f, "svc")
		}, want: []want{{key: "moex/svc", text: "rebuilt from its settings item moex/svc/profile", repaired: true}},
			after: func(t *testing.T, f *doctorFixture) {
				p, err := f.m.Get("svc")
				require.NoError(t, err)
				require.Equal(t, settings(f.moex[1]), p)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := secretstore.NewMemory()
			f := newDoctorFixture(t, secretstore.WithChunking(mem, secretstore.ChunkSize))
			tt.setup(t, f, mem)
			for _, repair := range []bool{false, true} {
				problems, err := f.v.Doctor(DoctorOptions{Repair: repair})
				require.NoError(t, err)
				var got []want
				for _, p := range problems {
					got = append(got, want{key: p.Key, text: p.Problem + " → " + p.Fix, repaired: p.Repaired, note: p.Note})
				}
				require.Len(t, got, len(tt.want), "%+v", problems)
				for i, w := range tt.want {
					require.Equal(t, w.key, got[i].key, "%+v", problems)
					require.Contains(t, got[i].text, w.text)
					require.Equal(t, w.repaired && repair, got[i].repaired, got[i].text)
					require.Equal(t, w.note && (!w.repaired || !repair), got[i].note, got[i].text)
				}
			}
			if tt.after != nil {
				tt.after(t, f)
			}
		})
	}
}
