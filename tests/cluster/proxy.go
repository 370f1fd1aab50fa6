package main

import (
	"flag"

	proxy "k8s.io/kubernetes/cmd/kube-proxy/app"
)

// runProxy runs the real kube-proxy command for one node; the caller runs it inside that node's
// network namespace, where its nftables or iptables rules, health and metrics servers live.
// Flags after `--` are passed on.
func runProxy(args []string) error {
	fs := flag.NewFlagSet("proxy", flag.ExitOnError)
	kubeconfig := fs.String("kubeconfig", "", "kube-proxy's kubeconfig (user system:kube-proxy)")
	node := fs.String("node", "", "the Node's name (--hostname-override)")
	nodeIP := fs.String("node-ip", "", "the node's primary address (--bind-address)")
	mode := fs.String("mode", "nftables", "nftables | iptables (this kernel has no IPVS)")
	clusterCIDR := fs.String("cluster-cidr", "10.244.0.0/16", "pod CIDR: traffic from elsewhere to a Service is masqueraded")
	if err := parseFlags(fs, args, "kubeconfig", "node", "node-ip"); err != nil {
		return err
	}
	flags := []string{
		"--kubeconfig=" + *kubeconfig,
		"--hostname-override=" + *node,
		"--bind-address=" + *nodeIP,
		"--proxy-mode=" + *mode,
		"--cluster-cidr=" + *clusterCIDR,
		"--healthz-bind-address=0.0.0.0:10256",
		"--metrics-bind-address=127.0.0.1:10249",
		// Leave the conntrack sysctls alone: nf_conntrack_max is not per namespace, and the test
		// must not change the machine's.
		"--conntrack-max-per-core=0",
		"--conntrack-tcp-timeout-established=0",
		"--conntrack-tcp-timeout-close-wait=0",
		"--conntrack-udp-timeout=0",
		"--conntrack-udp-timeout-stream=0",
	}
	return runUpstream(proxy.NewProxyCommand(), flags, fs.Args())
}
