//go:build windows

package install

import (
	"fmt"
	"os"
)

// systemBinaryProblem accepts only a binary under Program Files.
//
// Decision: tokenbridge does not evaluate ACLs. Program Files is writable
// only by Administrators and SYSTEM by default, whereas a binary anywhere
// else usually is not protected: the profile (Downloads, %LOCALAPPDATA%)
// belongs to the user, and folders created under C:\ let Authenticated
// Users modify what they create. Requiring Program Files is a check a person
// can predict; a custom ACL elsewhere is not recognised.
func systemBinaryProblem(path string) error {
	dirs := []string{os.Getenv("ProgramFiles"), os.Getenv("ProgramFiles(x86)"), os.Getenv("ProgramW6432")}
	if underWindowsDir(path, dirs) {
		return nil
	}
	return fmt.Errorf("%w: %s is not under Program Files (%s), so a non-Administrator may be able to replace it", ErrReplaceableBinary, path, os.Getenv("ProgramFiles"))
}
