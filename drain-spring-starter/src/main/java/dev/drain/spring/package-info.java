/**
 * The Spring Boot 4 starter: auto-configuration of graceful-drain for Spring MVC on Tomcat and
 * Jetty and WebFlux on Reactor Netty, with actuator and Micrometer when present.
 */
package dev.drain.spring;
