// Command okta-directory runs Pomerium Enterprise's Okta directory provider
// (github.com/pomerium/datasource/pkg/directory/okta) against an Okta org, for the oktaidp
// acceptance tests: each line read on stdin runs one GetDirectory on the same provider (the
// first is a full sync, later ones are incremental) and prints one JSON line with the groups and
// users, or {"error": "..."}. The org URL and API key come from OKTA_DIRECTORY_URL and
// OKTA_DIRECTORY_API_KEY (directory_sync's url and api_key), never from the command line.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/pomerium/datasource/pkg/directory"
	oktadir "github.com/pomerium/datasource/pkg/directory/okta"
)

type result struct {
	Groups []directory.Group `json:"groups,omitempty"`
	Users  []directory.User  `json:"users,omitempty"`
	Error  string            `json:"error,omitempty"`
}

func main() {
	url := os.Getenv("OKTA_DIRECTORY_URL")
	key := os.Getenv("OKTA_DIRECTORY_API_KEY")
	if url == "" || key == "" {
		fmt.Fprintln(os.Stderr, "okta-directory: set OKTA_DIRECTORY_URL and OKTA_DIRECTORY_API_KEY")
		os.Exit(2)
	}
	options := []okta.ConfigSetter{
		// The SDK's response cache would answer later syncs with the first one's lists.
		okta.WithCache(false),
		okta.WithRequestTimeout(30),
	}
	if strings.HasPrefix(url, "http://") {
		// A loopback emulator speaks plain HTTP; the SDK refuses that unless told otherwise.
		options = append(options, okta.WithTestingDisableHttpsCheck(true))
	}
	provider := oktadir.New(
		oktadir.WithURL(url),
		oktadir.WithAPIKey(key),
		oktadir.WithOktaOptions(options...),
	)
	out := json.NewEncoder(os.Stdout)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		groups, users, err := provider.GetDirectory(ctx)
		cancel()
		r := result{Groups: groups, Users: users}
		if err != nil {
			r = result{Error: err.Error()}
		}
		if err := out.Encode(r); err != nil {
			os.Exit(1)
		}
	}
}
