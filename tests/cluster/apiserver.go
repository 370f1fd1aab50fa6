package main

import (
	"flag"
	"fmt"
	"path/filepath"

	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
)

// runAPIServer runs the real kube-apiserver command (the same cobra command as the kube-apiserver
// binary) with the flags a kubeadm control plane uses: TLS with our CA, client certificates,
// bound service-account tokens, Node+RBAC authorization, and the Service CIDR that its
// default ServiceCIDR object ("kubernetes") is made from. Flags after `--` are passed on.
func runAPIServer(args []string) error {
	fs := flag.NewFlagSet("apiserver", flag.ExitOnError)
	dir := fs.String("dir", "", "PKI directory (cluster pki)")
	etcd := fs.String("etcd", "http://127.0.0.1:23790", "etcd client URL")
	ip := fs.String("ip", "", "bind and advertise address")
	port := fs.Int("port", 6443, "secure port")
	serviceCIDR := fs.String("service-cidr", "10.96.0.0/12", "--service-cluster-ip-range")
	if err := parseFlags(fs, args, "dir", "ip"); err != nil {
		return err
	}
	p := func(name string) string { return filepath.Join(*dir, name) }
	flags := []string{
		"--etcd-servers=" + *etcd,
		// The tests compact etcd themselves (cluster client: compact) to make history go away on demand.
		"--etcd-compaction-interval=0",
		"--bind-address=" + *ip,
		"--advertise-address=" + *ip,
		fmt.Sprintf("--secure-port=%d", *port),
		"--cert-dir=" + p("serving"),
		"--tls-cert-file=" + p("apiserver.crt"),
		"--tls-private-key-file=" + p("apiserver.key"),
		"--client-ca-file=" + p("ca.crt"),
		"--service-account-key-file=" + p("sa.pub"),
		"--service-account-signing-key-file=" + p("sa.key"),
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--authorization-mode=Node,RBAC",
		"--service-cluster-ip-range=" + *serviceCIDR,
		"--allow-privileged=true",
		"--profiling=false",
		"--v=0",
	}
	return runUpstream(apiserver.NewAPIServerCommand(), flags, fs.Args())
}
