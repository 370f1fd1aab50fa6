// cluster: a test control plane made of the upstream Go modules, used as libraries the way k3s
// embeds them: etcd, kube-apiserver and kube-proxy, plus a client-go helper that the Python tests
// drive over a pipe, and helm's own `template` command. It is test tooling, not part of the product.
//
//	cluster etcd --dir D --client-url http://127.0.0.1:23790
//	cluster pki --dir D --ip 10.0.1.1                # CA, serving cert, SA key, admin + kube-proxy kubeconfigs
//	cluster apiserver --dir D --etcd URL --ip 10.0.1.1 --port 6443 --service-cidr 10.96.0.0/12
//	cluster proxy --kubeconfig K --node node1 --node-ip 10.0.1.2 --mode nftables|iptables --cluster-cidr 10.244.0.0/16
//	cluster client --kubeconfig K [--etcd URL]       # JSON commands on stdin, one reply line each
//	cluster helm template ...                         # helm v4's CLI, unchanged
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cmd, args := os.Args[1], os.Args[2:]
	var err error
	switch cmd {
	case "etcd":
		err = runEtcd(args)
	case "pki":
		err = runPKI(args)
	case "apiserver":
		err = runAPIServer(args)
	case "proxy":
		err = runProxy(args)
	case "client":
		err = runClient(args)
	case "helm":
		err = runHelm(args)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "cluster %s: %v\n", cmd, err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: cluster etcd|pki|apiserver|proxy|client|helm [flags]")
	os.Exit(2)
}
