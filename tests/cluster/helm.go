package main

import (
	"errors"
	"os"

	helmcmd "helm.sh/helm/v4/pkg/cmd"
)

// runHelm is helm v4's own command line (Debian has no helm package): `cluster helm template ...`
// renders a chart exactly as `helm template` does.
func runHelm(args []string) error {
	cmd, err := helmcmd.NewRootCmd(os.Stdout, args, helmcmd.SetupLogging)
	if err != nil {
		return err
	}
	cmd.SetArgs(args)
	if err := cmd.Execute(); err != nil {
		var cerr helmcmd.CommandError
		if errors.As(err, &cerr) {
			os.Exit(cerr.ExitCode)
		}
		return err
	}
	return nil
}
