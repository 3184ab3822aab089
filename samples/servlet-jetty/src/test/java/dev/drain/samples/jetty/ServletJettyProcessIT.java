package dev.drain.samples.jetty;

import dev.drain.test.SampleProcessKit;

/** The packaged Jetty sample passes the samples' process contract. */
class ServletJettyProcessIT extends SampleProcessKit {}
