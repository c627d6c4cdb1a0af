// A pion/dtls v2 client or server (the DTLS library Snowflake uses), built
// offline against Debian's golang-github-pion-dtls.v2-dev by lab/dtls/pion.sh.
//
//	pion-dtls server ADDR   answers one association, echoes one message
//	pion-dtls client ADDR   sends one message and reads the echo
package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/pion/dtls/v2"
	"github.com/pion/dtls/v2/pkg/crypto/selfsign"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: pion-dtls server|client HOST:PORT")
		os.Exit(2)
	}
	addr, err := net.ResolveUDPAddr("udp", os.Args[2])
	check(err)
	cert, err := selfsign.GenerateSelfSigned()
	check(err)
	config := &dtls.Config{
		Certificates:         []tls.Certificate{cert},
		InsecureSkipVerify:   true,
		ExtendedMasterSecret: dtls.RequireExtendedMasterSecret,
		// What a WebRTC peer (and Snowflake) offers.
		SRTPProtectionProfiles: []dtls.SRTPProtectionProfile{dtls.SRTP_AEAD_AES_128_GCM, dtls.SRTP_AES128_CM_HMAC_SHA1_80},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	config.ConnectContextMaker = func() (context.Context, func()) { return ctx, func() {} }
	buf := make([]byte, 1500)
	switch os.Args[1] {
	case "server":
		ln, err := dtls.Listen("udp", addr, config)
		check(err)
		conn, err := ln.Accept()
		check(err)
		n, err := conn.Read(buf)
		check(err)
		_, err = conn.Write(buf[:n])
		check(err)
		time.Sleep(200 * time.Millisecond)
		conn.Close()
		ln.Close()
	case "client":
		conn, err := dtls.DialWithContext(ctx, "udp", addr, config)
		check(err)
		_, err = conn.Write([]byte("hello over pion/dtls\n"))
		check(err)
		n, err := conn.Read(buf)
		check(err)
		fmt.Print(string(buf[:n]))
		conn.Close()
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
