package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// runPKI writes what a kubeadm-made control plane has: a CA, the API server's serving certificate,
// the service-account signing key, and kubeconfigs for the admin (system:masters) and for
// kube-proxy (user system:kube-proxy, which the API server's bootstrap RBAC binds to
// system:node-proxier). Files that exist are kept, so a restarted API server keeps its identity.
func runPKI(args []string) error {
	fs := flag.NewFlagSet("pki", flag.ExitOnError)
	dir := fs.String("dir", "", "output directory")
	ip := fs.String("ip", "", "the API server's address (certificate SAN and kubeconfig server)")
	port := fs.Int("port", 6443, "the API server's port (kubeconfig server)")
	extraIPs := fs.String("extra-ips", "127.0.0.1,10.96.0.1", "more SAN addresses: loopback, the kubernetes Service")
	if err := parseFlags(fs, args, "dir", "ip"); err != nil {
		return err
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(*dir, "admin.kubeconfig")); err == nil {
		return nil
	}
	caKey, caCert, err := newCA()
	if err != nil {
		return err
	}
	ips := []net.IP{net.ParseIP(*ip)}
	for _, s := range strings.Split(*extraIPs, ",") {
		if s != "" {
			ips = append(ips, net.ParseIP(s))
		}
	}
	names := []string{"kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "localhost"}
	server := fmt.Sprintf("https://%s", net.JoinHostPort(*ip, fmt.Sprint(*port)))
	steps := []func() error{
		func() error { return writeKeyAndCert(*dir, "ca", caKey, caCert) },
		func() error {
			k, c, err := newLeaf(caKey, caCert, pkix.Name{CommonName: "kube-apiserver"}, names, ips, x509.ExtKeyUsageServerAuth)
			if err != nil {
				return err
			}
			return writeKeyAndCert(*dir, "apiserver", k, c)
		},
		func() error {
			k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err != nil {
				return err
			}
			return writeKeyAndCert(*dir, "sa", k, nil)
		},
		func() error {
			return writeClientKubeconfig(*dir, "admin", server, caKey, caCert, pkix.Name{CommonName: "i14-admin", Organization: []string{"system:masters"}})
		},
		func() error {
			return writeClientKubeconfig(*dir, "kube-proxy", server, caKey, caCert, pkix.Name{CommonName: "system:kube-proxy"})
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func newCA() (*ecdsa.PrivateKey, *x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "i14-test-ca"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(10 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return key, cert, err
}

func newLeaf(caKey *ecdsa.PrivateKey, ca *x509.Certificate, subject pkix.Name, names []string, ips []net.IP,
	usage x509.ExtKeyUsage) (*ecdsa.PrivateKey, *x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      subject,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(10 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		DNSNames:     names,
		IPAddresses:  ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return key, cert, err
}

func pemKey(key *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
}

func pemCert(cert *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
}

// NAME.key (and NAME.crt, or for a bare key NAME.pub: the public half the API server verifies with).
func writeKeyAndCert(dir, name string, key *ecdsa.PrivateKey, cert *x509.Certificate) error {
	k, err := pemKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, name+".key"), k, 0o600); err != nil {
		return err
	}
	if cert != nil {
		return os.WriteFile(filepath.Join(dir, name+".crt"), pemCert(cert), 0o644)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name+".pub"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o644)
}

func writeClientKubeconfig(dir, name, server string, caKey *ecdsa.PrivateKey, ca *x509.Certificate, subject pkix.Name) error {
	key, cert, err := newLeaf(caKey, ca, subject, nil, nil, x509.ExtKeyUsageClientAuth)
	if err != nil {
		return err
	}
	k, err := pemKey(key)
	if err != nil {
		return err
	}
	b64 := base64.StdEncoding.EncodeToString
	text := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: i14
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: %s
  user:
    client-certificate-data: %s
    client-key-data: %s
contexts:
- name: %s
  context: {cluster: i14, user: %s}
current-context: %s
`, server, b64(pemCert(ca)), name, b64(pemCert(cert)), b64(k), name, name, name)
	return os.WriteFile(filepath.Join(dir, name+".kubeconfig"), []byte(text), 0o600)
}
