fn main() {
    portal_web::sign_in::start();
}
