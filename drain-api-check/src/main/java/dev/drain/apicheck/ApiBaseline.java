package dev.drain.apicheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Keeps a module's public API from changing by accident.
 *
 * <p>{@link #list} loads every class compiled into a module's output directory outside its
 * {@code internal} packages and writes one line per public type and one per public or protected
 * member, with its full generic signature. {@link #assertMatchesBaseline} compares that listing with the
 * module's committed baseline ({@code api/<module>.api}) and fails with the lines added and
 * removed; with {@code -Ddrain.api.update=true} it rewrites the baseline instead, so an intended
 * change is one reviewed diff. It also fails when a signature names a type from an {@code
 * internal} package: such a type would leak into users' code.
 */
public final class ApiBaseline {

  /** The system property that makes {@link #assertMatchesBaseline} rewrite the baseline. */
  public static final String UPDATE_PROPERTY = "drain.api.update";

  private static final String HEADER = "# The public API of %s: one line per public type and per"
      + " public or protected member.%n# A change here is a change users see. Regenerate with:"
      + "%n#   mvn -pl %s test -Dtest=PublicApiTest -D%s=true%n";

  private ApiBaseline() {}

  /**
   * Compares the module's API with its baseline, or rewrites the baseline when {@code
   * -Ddrain.api.update=true}.
   *
   * @param module the module's directory name, e.g. {@code drain-core}
   * @param moduleDir the module's directory (holds {@code target/classes} and {@code api/})
   * @throws AssertionError when the API differs from the baseline, the baseline is missing, or
   *     a signature names an {@code internal} type
   */
  public static void assertMatchesBaseline(String module, Path moduleDir) {
    List<String> actual = list(moduleDir.resolve("target/classes"));
    List<String> leaks = actual.stream().filter(line -> line.contains(".internal."))
        .collect(Collectors.toList());
    if (!leaks.isEmpty()) {
      throw new AssertionError("the public API of " + module + " names types from internal"
          + " packages, which users cannot rely on:\n  " + String.join("\n  ", leaks));
    }
    Path baseline = moduleDir.resolve("api").resolve(module + ".api");
    String header = String.format(HEADER, module, module, UPDATE_PROPERTY);
    if (Boolean.getBoolean(UPDATE_PROPERTY)) {
      write(baseline, header + String.join("\n", actual) + "\n");
      return;
    }
    if (!Files.isRegularFile(baseline)) {
      throw new AssertionError("no API baseline at " + baseline + "; create it with -D"
          + UPDATE_PROPERTY + "=true and commit it");
    }
    List<String> expected = read(baseline).stream()
        .filter(line -> !line.isBlank() && !line.startsWith("#")).collect(Collectors.toList());
    if (!expected.equals(actual)) {
      List<String> added = new ArrayList<>(actual);
      added.removeAll(expected);
      List<String> removed = new ArrayList<>(expected);
      removed.removeAll(actual);
      throw new AssertionError("the public API of " + module + " differs from " + baseline
          + ".\nIf the change is intended, regenerate the baseline with -D" + UPDATE_PROPERTY
          + "=true, commit it and say so in CHANGELOG.md.\nAdded:" + bullets(added)
          + "\nRemoved:" + bullets(removed));
    }
  }

  /**
   * Lists the public API of the classes under a class output directory, outside {@code
   * internal} packages, sorted. The classes are loaded by this class's loader, so the directory
   * and the module's dependencies must be on the class path.
   *
   * @param classes a class output directory, e.g. {@code target/classes}
   * @return the lines, sorted, one per type and per member
   */
  public static List<String> list(Path classes) {
    TreeSet<String> lines = new TreeSet<>();
    for (String name : classNames(classes)) {
      Class<?> type;
      try {
        type = Class.forName(name, false, ApiBaseline.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(name + " is not on the class path", e);
      }
      if (visible(type)) {
        describe(type, lines);
      }
    }
    return List.copyOf(lines);
  }

  private static List<String> classNames(Path classes) {
    if (!Files.isDirectory(classes)) {
      throw new IllegalArgumentException("no class directory at " + classes
          + "; compile the module first");
    }
    try (Stream<Path> files = Files.walk(classes)) {
      return files.filter(file -> file.toString().endsWith(".class"))
          .map(file -> classes.relativize(file).toString())
          .map(path -> path.substring(0, path.length() - ".class".length())
              .replace(java.io.File.separatorChar, '.'))
          .filter(name -> !name.endsWith("module-info") && !name.endsWith("package-info"))
          .filter(name -> !Arrays.asList(name.split("\\.")).contains("internal"))
          .sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A type users can name: public, or protected inside a type they can extend, and not
   * synthetic.
   */
  private static boolean visible(Class<?> type) {
    if (type.isSynthetic() || type.isAnonymousClass() || type.isLocalClass()) {
      return false;
    }
    int modifiers = type.getModifiers();
    Class<?> outer = type.getDeclaringClass();
    if (outer == null) {
      return Modifier.isPublic(modifiers);
    }
    boolean exposed = Modifier.isPublic(modifiers)
        || (Modifier.isProtected(modifiers) && subclassable(outer));
    return exposed && visible(outer);
  }

  /** Whether users can extend the type, and so use its protected members. */
  private static boolean subclassable(Class<?> type) {
    return !Modifier.isFinal(type.getModifiers()) && !type.isEnum() && !type.isRecord()
        && !type.isSealed() && !type.isInterface();
  }

  private static void describe(Class<?> type, TreeSet<String> lines) {
    String name = type.getName();
    StringBuilder head = new StringBuilder(declaration(type));
    Type superclass = type.getGenericSuperclass();
    if (superclass != null && superclass != Object.class && !type.isEnum() && !type.isRecord()) {
      head.append(" extends ").append(superclass.getTypeName());
    }
    String interfaces = Arrays.stream(type.getGenericInterfaces()).map(Type::getTypeName)
        .sorted().collect(Collectors.joining(", "));
    if (!interfaces.isEmpty()) {
      head.append(type.isInterface() ? " extends " : " implements ").append(interfaces);
    }
    if (type.isSealed()) {
      head.append(" permits ").append(Arrays.stream(type.getPermittedSubclasses())
          .map(Class::getName).sorted().collect(Collectors.joining(", ")));
    }
    lines.add(name + " : " + head);
    boolean subclassable = subclassable(type);
    List<Member> members = new ArrayList<>(Arrays.asList(type.getDeclaredConstructors()));
    // Members declared here and those inherited from superclasses users cannot see (a public
    // method of a package-private base class is part of this type's API).
    for (Class<?> owner = type; owner != null
        && (owner == type || !Modifier.isPublic(owner.getModifiers()));
        owner = owner.getSuperclass()) {
      members.addAll(Arrays.asList(owner.getDeclaredMethods()));
      members.addAll(Arrays.asList(owner.getDeclaredFields()));
    }
    for (Member member : members) {
      int modifiers = member.getModifiers();
      boolean exposed = Modifier.isPublic(modifiers)
          || (Modifier.isProtected(modifiers) && subclassable);
      boolean bridge = member instanceof Method method && method.isBridge();
      if (exposed && !member.isSynthetic() && !bridge) {
        lines.add(name + " : " + signature(member));
      }
    }
  }

  /**
   * The type's declaration, built here rather than by {@link Class#toGenericString()}, whose
   * output differs between JDKs (from JDK 23 it prints {@code sealed} itself).
   */
  private static String declaration(Class<?> type) {
    int modifiers = type.getModifiers() & Modifier.classModifiers();
    if (type.isInterface()) {
      modifiers &= ~Modifier.ABSTRACT;   // implied
    }
    String kind = type.isAnnotation() ? "@interface" : type.isInterface() ? "interface"
        : type.isEnum() ? "enum" : type.isRecord() ? "record" : "class";
    StringBuilder text = new StringBuilder(annotations((AnnotatedElement) type));
    String words = Modifier.toString(modifiers);
    text.append(words.isEmpty() ? "" : words + " ").append(type.isSealed() ? "sealed " : "")
        .append(kind).append(' ').append(type.getName());
    TypeVariable<?>[] parameters = type.getTypeParameters();
    if (parameters.length > 0) {
      text.append(Arrays.stream(parameters).map(ApiBaseline::typeParameter)
          .collect(Collectors.joining(",", "<", ">")));
    }
    return text.toString();
  }

  private static String typeParameter(TypeVariable<?> variable) {
    String bounds = Arrays.stream(variable.getBounds()).filter(bound -> bound != Object.class)
        .map(Type::getTypeName).collect(Collectors.joining(" & "));
    return bounds.isEmpty() ? variable.getName() : variable.getName() + " extends " + bounds;
  }

  /** The annotations that change how users may use an element. */
  private static String annotations(AnnotatedElement element) {
    return (element.isAnnotationPresent(Deprecated.class) ? "@Deprecated " : "")
        + (element.isAnnotationPresent(FunctionalInterface.class) ? "@FunctionalInterface " : "");
  }

  private static String signature(Member member) {
    String annotations = annotations((AnnotatedElement) member);
    if (member instanceof Constructor<?> constructor) {
      return annotations + constructor.toGenericString();
    }
    if (member instanceof Method method) {
      return annotations + method.toGenericString();
    }
    return annotations + ((Field) member).toGenericString();
  }

  private static String bullets(List<String> lines) {
    return lines.isEmpty() ? " (none)" : "\n  " + String.join("\n  ", lines);
  }

  private static List<String> read(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.createDirectories(Objects.requireNonNull(file.getParent()));
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
